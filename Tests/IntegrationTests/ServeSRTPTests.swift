import DialerStore
import Foundation
import Media
import Testing

/// SRTP through `serve`, both ways, against baresip with `mediaenc=srtp-mand` over TLS:
/// a campaign-style call through a trunk of `"transport": "tls", "srtp": "required"`, and
/// baresip calling in to `--inbound-flow` (whose `--inbound-srtp` is `optional` by default).
/// Each flow records what baresip plays; the CDR names the SRTP suite and the recording holds
/// baresip's chirp, decrypted.
@Suite(.serialized)
struct ServeSRTPTests {
    static let pem = CallOverTLSTests.pem

    /// baresip's certificate file: the test server certificate and its key in one PEM.
    static func baresipPEM(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("server.pem")
        try (String(contentsOfFile: pem("server.crt"), encoding: .utf8) + String(contentsOfFile: pem("server.key"), encoding: .utf8))
            .write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// `serve` with a tls: listener on `tlsPort`, the test certificates, and `args`.
    static func serve(_ scratch: ServeCampaignTests.Scratch, tlsPort: Int, _ args: [String] = []) async throws -> ServeProcess {
        let token = try await ServeProcess.token(data: scratch.data)
        return try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator", "--listen", "tls:127.0.0.1:\(tlsPort)",
                                                                                "--tls-cert", pem("server.crt"), "--tls-key", pem("server.key"),
                                                                                "--tls-ca", pem("ca.crt")] + args)
    }

    /// The best match of a stretch of the chirp in `recording` (baresip's chirp starts when
    /// it answers; where that falls in the recording depends on the flow's timing).
    static func chirpCorrelation(in recording: [Int16]) -> Double {
        guard recording.count >= 12_000 else { return 0 }
        let chirp = AudioMatch.chirp(seconds: 4)
        return AudioMatch.locate(recording[8000..<12_000], in: chirp, near: 14_000, within: 14_000).correlation
    }

    static var recordFlow: [[String: Any]] { [["verb": "record", "max_seconds": 3]] }

    @Test func aCallThroughAnSRTPTrunkOverTLSIsEncryptedAndHeard() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let far = try await Baresip.start(playing: try BaresipSRTPTests.chirpFile(seconds: 4, in: dir), codecs: ["g711.so"], user: "+15550104101",
                                          mediaenc: "srtp-mand", tls: (try Self.baresipPEM(in: dir), Self.pem("ca.crt")), in: dir)
        defer { far.process.stop() }
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch, tlsPort: Ports.free())
        defer { serve.process.stop() }
        let trunk = try await serve.create("trunks", ["name": "baresip", "host": "127.0.0.1", "port": far.tlsPort, "transport": "tls", "srtp": "required"])
        let id = try await serve.create("calls", ["phone": "+15550104101", "trunk_id": trunk, "flow": Self.recordFlow])
        let ended = try await ServeCallTests.waitForCall(serve, id, status: "ended", timeout: .seconds(40))
        let cdr = ended["cdr"] as? [String: Any] ?? [:]
        #expect(cdr["disposition"] as? String == "answered", "\(ended) \(serve.process.text.suffix(800))")
        let rtp = cdr["rtp"] as? [String: Any] ?? [:]
        #expect(rtp["srtp"] as? String == "AES_CM_128_HMAC_SHA1_80", "\(cdr)")
        let path = try #require(try DialerStore(directory: scratch.data).cdr(attemptID: id)?.recording, "\(cdr)")
        let heard = try WAVAudio.read(path: path).samples
        #expect(Self.chirpCorrelation(in: heard) >= 0.9, "the recording holds baresip's chirp (\(heard.count) samples)")
        let received = await far.received()
        #expect((received?.packets ?? 0) >= 100 && received?.errors == 0, "\(String(describing: received))")
    }

    @Test func baresipCallingInWithSRTPOverTLSIsAnsweredEncrypted() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scratch = ServeCampaignTests.Scratch()
        let tlsPort = Ports.free()
        let flow = String(decoding: try JSONSerialization.data(withJSONObject: Self.recordFlow), as: UTF8.self)
        let serve = try await Self.serve(scratch, tlsPort: tlsPort, ["--allow-peer", "127.0.0.1", "--inbound-flow", flow])
        defer { serve.process.stop() }
        let far = try await Baresip.start(playing: try BaresipSRTPTests.chirpFile(seconds: 4, in: dir), codecs: ["g711.so"],
                                          mediaenc: "srtp-mand", tls: (try Self.baresipPEM(in: dir), Self.pem("ca.crt")),
                                          dialing: "sip:inbound@127.0.0.1:\(tlsPort);transport=tls", in: dir)
        defer { far.process.stop() }
        var cdr: [String: Any] = [:]
        let ended = try await poll(timeout: .seconds(40), every: .milliseconds(250)) {
            cdr = ((try await serve.send("GET", "cdrs").1["cdrs"] as? [[String: Any]]) ?? []).first ?? [:]
            return cdr["outcome"] as? String != nil && cdr["outcome"] as? String != "interrupted"
        }
        #expect(ended && cdr["disposition"] as? String == "answered", "\(cdr) \(serve.process.text.suffix(800)) \(far.process.text.suffix(800))")
        let rtp = cdr["rtp"] as? [String: Any] ?? [:]
        #expect(rtp["srtp"] as? String == "AES_CM_128_HMAC_SHA1_80", "\(cdr)")
        let id = try #require(cdr["id"] as? String)
        let path = try #require(try DialerStore(directory: scratch.data).cdr(id: id)?.recording, "\(cdr)")
        let heard = try WAVAudio.read(path: path).samples
        #expect(Self.chirpCorrelation(in: heard) >= 0.9, "the recording holds baresip's chirp (\(heard.count) samples)")
        #expect(far.process.text.contains("SRTP is Enabled"), "\(far.process.text.suffix(800))")
    }
}
