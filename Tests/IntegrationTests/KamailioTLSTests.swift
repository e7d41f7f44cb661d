import Foundation
import Testing

/// SIP over TLS against Kamailio (its tls module) as the registrar, on 127.0.0.1, with the
/// throw-away certificates of `Certs/make-test-certs.sh`: `sipdial register --transport tls`
/// verifies Kamailio's certificate against the test CA and registers; a certificate that
/// names another host, one from an unknown CA and an expired one are each refused with the
/// reason in words, and nothing is registered.
@Suite(.serialized)
struct KamailioTLSTests {
    /// The test certificates, made once per run.
    static let certificates: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-certs-\(UUID().uuidString)")
        let script = CallMediaTests.repository.appendingPathComponent("Certs/make-test-certs.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [dir.path]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        return dir
    }()

    func register(_ kamailio: KamailioRegistrationTests.Kamailio, hold: Int) throws -> ExternalProcess {
        let pem = { (name: String) in Self.certificates.appendingPathComponent(name).path }
        return try ExternalProcess(SipdialBinary.path, [
            "register", "--registrar", "127.0.0.1:\(kamailio.tlsPort ?? 0)", "--transport", "tls", "--user", "acme", "--password", "secret",
            "--expires", "60", "--hold", "\(hold)", "--local-address", "127.0.0.1",
            "--tls-ca", pem("ca.crt"), "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key"),
        ])
    }

    @Test func registersOverTLSWithAVerifiedCertificate() async throws {
        let kamailio = try await KamailioRegistrationTests.Kamailio(certificate: "server", certificates: Self.certificates)
        let register = try register(kamailio, hold: 3)
        #expect(await register.waitForOutput("registered expires=60", timeout: .seconds(15)), "\(register.text)")
        let during = try await kamailio.bindings()
        #expect(during.contains("acme@127.0.0.1") && during.lowercased().contains("transport=tls"), "binding missing or not over TLS: \(during)")
        #expect(await register.wait(timeout: .seconds(30)) == 0, "\(register.text)")
    }

    @Test(arguments: [("wrong-name", "the certificate does not name this host"), ("other-ca", "the certificate is not signed by a trusted CA"),
                      ("expired", "the certificate expired on 2020-02-01")])
    func aCertificateThatCannotBeTrustedIsRefusedSayingWhy(certificate: String, reason: String) async throws {
        let kamailio = try await KamailioRegistrationTests.Kamailio(certificate: certificate, certificates: Self.certificates)
        let register = try register(kamailio, hold: 0)
        let status = await register.wait(timeout: .seconds(60))
        #expect(status != 0 && status != nil, "\(register.text)")
        #expect(register.text.contains("TLS connection failed") && register.text.contains(reason), "\(certificate): \(register.text.suffix(800))")
        #expect(!(try await kamailio.bindings()).contains("acme@127.0.0.1"))
    }
}

/// `sipdial call` over TLS to `sipdial simulate --listen tls:…`: a `sips:` URI and a
/// `;transport=tls` one are both placed over TLS and answered, each side verifying the
/// other's certificate chain against the test CA.
struct CallOverTLSTests {
    @Test(arguments: ["sips:100@127.0.0.1:PORT", "sip:100@127.0.0.1:PORT;transport=tls"])
    func aCallOverTLSIsAnswered(_ target: String) async throws {
        let pem = { (name: String) in KamailioTLSTests.certificates.appendingPathComponent(name).path }
        let port = Ports.free()
        let simulator = try ExternalProcess(SipdialBinary.path, ["simulate", "--listen", "tls:127.0.0.1:\(port)", "--log-level", "info",
                                                                 "--tls-cert", pem("server.crt"), "--tls-key", pem("server.key"), "--tls-ca", pem("ca.crt")])
        defer { simulator.stop() }
        #expect(await simulator.waitForOutput("listening tls", timeout: .seconds(20)), "\(simulator.text)")
        let (status, out) = try await SipdialBinary.run(["call", target.replacingOccurrences(of: "PORT", with: "\(port)"), "--json", "--local-address", "127.0.0.1",
                                                         "--tls-ca", pem("ca.crt"), "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key")],
                                                        timeout: .seconds(60))
        let result = SipdialBinary.jsonObject(in: out)
        #expect(status == 0 && result["outcome"] as? String == "answered" && result["sip_code"] as? Int == 200, "\(out.suffix(600))")
        #expect(simulator.text.contains("incoming call"), "\(simulator.text.suffix(600))")
    }

    /// `serve` with a `tls:` listener places a call through a trunk of transport `tls` (the
    /// simulator over TLS): answered, its CDR `answered`.
    @Test func serveCallsThroughATLSTrunk() async throws {
        let pem = { (name: String) in KamailioTLSTests.certificates.appendingPathComponent(name).path }
        let port = Ports.free()
        let simulator = try ExternalProcess(SipdialBinary.path, ["simulate", "--listen", "tls:127.0.0.1:\(port)", "--log-level", "info",
                                                                 "--tls-cert", pem("server.crt"), "--tls-key", pem("server.key"), "--tls-ca", pem("ca.crt")])
        defer { simulator.stop() }
        #expect(await simulator.waitForOutput("listening tls", timeout: .seconds(20)), "\(simulator.text)")
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator", "--listen", "tls:127.0.0.1:\(Ports.free())",
                                                                                   "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key"), "--tls-ca", pem("ca.crt")])
        defer { serve.process.stop() }
        let trunk = try await serve.create("trunks", ["name": "tls", "host": "localhost", "port": port, "transport": "tls"])
        let id = try await serve.create("calls", ["phone": "+15550104001", "trunk_id": trunk, "flow": [["verb": "pause", "seconds": 1]]])
        let ended = try await ServeCallTests.waitForCall(serve, id, status: "ended", timeout: .seconds(30))
        let cdr = ended["cdr"] as? [String: Any] ?? [:]
        #expect(cdr["disposition"] as? String == "answered", "\(ended) \(serve.process.text.suffix(800))")
        #expect(simulator.text.contains("incoming call"), "\(simulator.text.suffix(600))")
    }
}
