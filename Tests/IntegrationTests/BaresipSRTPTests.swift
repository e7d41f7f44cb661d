import Foundation
import Media
import Testing

/// SRTP (RFC 3711, SDES keys RFC 4568) against another implementation: baresip with its srtp
/// module and `mediaenc=srtp-mand` (RTP/SAVP, SRTP or nothing), on 127.0.0.1.
///
/// - Over TLS (the only way keys go unless the operator allows otherwise), audio crosses both
///   ways: sipdial hears baresip's chirp, baresip decodes sipdial's chirp without an error.
/// - An independent check that the packets are real SRTP: the call captured on lo, the keys
///   read from the SIP on the wire, and sipdial's RTP decrypted by libsrtp through pylibsrtp
///   (`Scripts/srtp-capture.py`) gives back the chirp; the captured payloads read without
///   decrypting do not.
/// - A far end without SRTP: `required` fails the call, `optional` falls back to plain RTP.
@Suite(.serialized)
struct BaresipSRTPTests {
    static let pem = CallOverTLSTests.pem

    /// An 8 kHz mono chirp for baresip's aufile source (it wants the G.711 rate).
    static func chirpFile(seconds: Double, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("chirp8k.wav").path
        try WAVWriter.write(path: path, channels: [AudioMatch.chirp(seconds: seconds)], sampleRate: 8000)
        return path
    }

    @Test func anSRTPCallToBaresipOverTLSCarriesAudioBothWays() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chirp = try Self.chirpFile(seconds: 4, in: dir)
        let serverPEM = dir.appendingPathComponent("server.pem")
        try (String(contentsOfFile: Self.pem("server.crt"), encoding: .utf8) + String(contentsOfFile: Self.pem("server.key"), encoding: .utf8))
            .write(to: serverPEM, atomically: true, encoding: .utf8)
        let far = try await Baresip.start(playing: chirp, codecs: ["g711.so"], mediaenc: "srtp-mand",
                                          tls: (serverPEM.path, Self.pem("ca.crt")), in: dir)
        defer { far.process.stop() }
        let recording = dir.appendingPathComponent("from-baresip.wav").path
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:far@127.0.0.1:\(far.tlsPort);transport=tls", "--local-address", "127.0.0.1", "--srtp", "required",
             "--tls-ca", Self.pem("ca.crt"), "--tls-cert", Self.pem("client.crt"), "--tls-key", Self.pem("client.key"),
             "--play", chirp, "--record", recording, "--json"], timeout: .seconds(30))
        #expect(status == 0, "\(out.suffix(800)) \(far.process.text.suffix(800))")
        let rtp = SipdialBinary.jsonObject(in: out)["rtp"] as? [String: Any] ?? [:]
        #expect(rtp["srtp"] as? String == "AES_CM_128_HMAC_SHA1_80", "\(rtp)")
        #expect((rtp["packets_received"] as? Int ?? 0) >= 150, "\(rtp)")
        #expect(far.process.text.contains("SRTP is Enabled"), "\(far.process.text.suffix(800))")

        // sipdial decrypted baresip's chirp.
        let heard = try WAVAudio.read(path: recording).samples
        #expect(heard.count >= 16_000, "\(heard.count) samples")
        if heard.count >= 16_000 {
            let match = AudioMatch.locate(heard[8000..<12_000], in: AudioMatch.chirp(seconds: 4), near: 8000, within: 2400)
            #expect(match.correlation >= 0.9, "sipdial hears baresip's chirp: \(match.correlation) at \(match.offset)")
        }
        // baresip decrypted sipdial's chirp, every packet.
        let received = await far.received()
        #expect((received?.packets ?? 0) >= 150 && received?.errors == 0, "\(String(describing: received)) \(far.process.text.suffix(600))")
        let decoded = try #require(try far.decoded(), "baresip's sndfile dump").resampled(to: 8000).samples
        #expect(decoded.count >= 16_000, "\(decoded.count) samples")
        if decoded.count >= 16_000 {
            let match = AudioMatch.locate(decoded[8000..<12_000], in: AudioMatch.chirp(seconds: 4), near: 8000, within: 2400)
            #expect(match.correlation >= 0.9, "baresip hears sipdial's chirp: \(match.correlation) at \(match.offset)")
        }
    }

    /// A TLS caller without a certificate of its own listens for nothing: baresip, whose file
    /// ends after 2 s, hangs up, and its BYE reaches sipdial over the connection sipdial
    /// opened (its Contact names that connection's own port).
    @Test func aTLSCallerWithoutACertificateTakesTheFarEndsByeOnItsConnection() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let serverPEM = dir.appendingPathComponent("server.pem")
        try (String(contentsOfFile: Self.pem("server.crt"), encoding: .utf8) + String(contentsOfFile: Self.pem("server.key"), encoding: .utf8))
            .write(to: serverPEM, atomically: true, encoding: .utf8)
        let far = try await Baresip.start(playing: try Self.chirpFile(seconds: 2, in: dir), codecs: ["g711.so"], mediaenc: "srtp-mand",
                                          tls: (serverPEM.path, Self.pem("ca.crt")), in: dir)
        defer { far.process.stop() }
        let (status, out) = try await SipdialBinary.run(
            ["call", "sips:far@127.0.0.1:\(far.tlsPort)", "--local-address", "127.0.0.1", "--srtp", "required", "--tls-ca", Self.pem("ca.crt"),
             "--hold", "20", "--json"], timeout: .seconds(40))
        let result = SipdialBinary.jsonObject(in: out)
        #expect(status == 0 && result["hung_up_by"] as? String == "remote", "\(out.suffix(800)) \(far.process.text.suffix(800))")
        let ended = (result["times"] as? [String: Any])?["ended"] as? Double ?? 99
        #expect(ended < 10, "baresip's BYE ended the call, not --hold: \(result)")
    }

    /// Signaling in the clear (`--srtp-plain-signaling`) so the capture holds the keys.
    @Test func aCaptureDecryptedByPylibsrtpWithTheKeyFromTheSDPGivesBackTheAudio() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chirp = try Self.chirpFile(seconds: 4, in: dir)
        let far = try await Baresip.start(playing: chirp, codecs: ["g711.so"], mediaenc: "srtp-mand", in: dir)
        defer { far.process.stop() }
        let script = CallMediaTests.repository.appendingPathComponent("Tests/IntegrationTests/Scripts/srtp-capture.py").path
        let decodedPath = dir.appendingPathComponent("decrypted.wav").path
        let capture = try ExternalProcess("/usr/bin/python3", [script, "40", decodedPath])
        defer { capture.stop() }
        #expect(await capture.waitForOutput("capturing", timeout: .seconds(10)), "\(capture.text)")
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:far@127.0.0.1:\(far.port)", "--local-address", "127.0.0.1", "--srtp", "required", "--srtp-plain-signaling",
             "--play", chirp, "--json"], timeout: .seconds(30))
        #expect(status == 0, "\(out.suffix(800))")
        FileManager.default.createFile(atPath: decodedPath + ".stop", contents: nil)
        #expect(await capture.wait(timeout: .seconds(20)) == 0, "\(capture.text.suffix(800))")
        let line = capture.text.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
        let result = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        #expect(result["suite"] as? String == "AES_CM_128_HMAC_SHA1_80", "\(capture.text.suffix(800))")
        let packets = result["packets"] as? Int ?? 0
        #expect(packets >= 150 && result["decrypted"] as? Int == packets && result["refused"] as? Int == 0, "\(result)")

        let decrypted = try WAVAudio.read(path: decodedPath).samples
        let raw = try WAVAudio.read(path: String(decodedPath.dropLast(4)) + ".raw.wav").samples
        #expect(decrypted.count >= 16_000 && raw.count >= 16_000, "\(decrypted.count) \(raw.count)")
        guard decrypted.count >= 16_000, raw.count >= 16_000 else { return }
        let clear = AudioMatch.locate(decrypted[8000..<12_000], in: AudioMatch.chirp(seconds: 4), near: 8000, within: 2400)
        #expect(clear.correlation >= 0.9, "decrypted by libsrtp: the chirp, \(clear.correlation) at \(clear.offset)")
        let cipher = AudioMatch.locate(raw[8000..<12_000], in: AudioMatch.chirp(seconds: 4), near: 8000, within: 2400)
        #expect(cipher.correlation < 0.2, "on the wire: not the chirp, \(cipher.correlation)")
    }

    /// baresip without SRTP: `required` fails the call with a 488 and plays nothing;
    /// `optional` (best effort, RTP/AVP with a=crypto) is answered plain.
    @Test func aFarEndWithoutSRTPFailsRequiredAndAnswersOptionalInTheClear() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let far = try await Baresip.start(playing: try Self.chirpFile(seconds: 2, in: dir), codecs: ["g711.so"], in: dir)
        defer { far.process.stop() }
        let target = "sip:far@127.0.0.1:\(far.port)"
        let (refused, refusedOut) = try await SipdialBinary.run(
            ["call", target, "--local-address", "127.0.0.1", "--srtp", "required", "--srtp-plain-signaling", "--json"], timeout: .seconds(30))
        let failed = SipdialBinary.jsonObject(in: refusedOut)
        #expect(refused != 0 && failed["outcome"] as? String != "answered" && failed["sip_code"] as? Int == 488, "\(refusedOut.suffix(600))")

        let (status, out) = try await SipdialBinary.run(
            ["call", target, "--local-address", "127.0.0.1", "--srtp", "optional", "--srtp-plain-signaling", "--hold", "1", "--json"],
            timeout: .seconds(30))
        let rtp = SipdialBinary.jsonObject(in: out)["rtp"] as? [String: Any] ?? [:]
        #expect(status == 0 && rtp["srtp"] == nil && (rtp["packets_received"] as? Int ?? 0) >= 25, "\(out.suffix(600))")
    }

    /// SDES keys travel in the SDP: over udp or tcp signaling `call` refuses to send them,
    /// naming the way out, and places no call.
    @Test func keysAreNotSentOverPlainSignalingUnlessAllowed() async throws {
        let (status, out) = try await SipdialBinary.run(["call", "sip:far@127.0.0.1:9", "--srtp", "required"], timeout: .seconds(20))
        #expect(status != 0 && out.contains("--srtp required sends its keys in the SDP") && out.contains("--srtp-plain-signaling"), "\(out)")
    }
}
