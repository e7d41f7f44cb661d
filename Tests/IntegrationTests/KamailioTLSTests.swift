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
        let pem = CallOverTLSTests.pem
        return try ExternalProcess(SipdialBinary.path, [
            "register", "--registrar", "127.0.0.1:\(kamailio.tlsPort ?? 0)", "--transport", "tls", "--user", "acme", "--password", "secret",
            "--expires", "60", "--hold", "\(hold)", "--local-address", "127.0.0.1",
            "--tls-ca", pem("ca.crt"), "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key"),
        ])
    }

    @Test func registersOverTLSWithAVerifiedCertificate() async throws {
        let kamailio = try await KamailioRegistrationTests.Kamailio(certificate: "server", certificates: Self.certificates)
        // Held 20 s: on two loaded cores (the start of CI's first phase) the binding check
        // once came after a 3 s hold had already unregistered.
        let register = try register(kamailio, hold: 20)
        #expect(await register.waitForOutput("registered expires=60", timeout: .seconds(15)), "\(register.text)")
        let during = try await kamailio.bindings()
        #expect(during.contains("acme@127.0.0.1") && during.lowercased().contains("transport=tls"), "binding missing or not over TLS: \(during)")
        #expect(await register.wait(timeout: .seconds(60)) == 0, "\(register.text)")
    }

    /// Kamailio as a TLS proxy: `call` reaches it over TLS (verifying its certificate), it
    /// record-routes and relays the INVITE over UDP to a SIPp UAS, which answers; sipdial's
    /// ACK and BYE follow the route set back through Kamailio's TLS side.
    @Test func aCallThroughKamailioOverTLSReachesASIPpUAS() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, uas) = try await SIPp.listening(["-sf", SIPp.scenario("uas_answer"), "-t", "u1", "-m", "1"], timeoutSeconds: 40, in: dir)
        defer { sipp.stop() }
        let kamailio = try await KamailioRegistrationTests.Kamailio(certificate: "server", certificates: Self.certificates, uas: uas)
        let pem = CallOverTLSTests.pem
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:100@127.0.0.1:\(kamailio.tlsPort ?? 0);transport=tls", "--local-address", "127.0.0.1", "--hold", "1", "--json",
             "--tls-ca", pem("ca.crt"), "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key")], timeout: .seconds(40))
        let result = SipdialBinary.jsonObject(in: out)
        #expect(status == 0 && result["outcome"] as? String == "answered" && result["hung_up_by"] as? String == "local",
                "\(out.suffix(600)) \(kamailio.process.text.suffix(800))")
        #expect(await sipp.wait(timeout: .seconds(20)) == 0, "SIPp saw the call through and its BYE: \(sipp.text.suffix(800)) \(SIPp.errors(in: dir))")
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
    static func pem(_ name: String) -> String { KamailioTLSTests.certificates.appendingPathComponent(name).path }

    /// `simulate` over TLS on a free port with the test CA's server certificate.
    static func tlsSimulator(_ extra: [String] = []) async throws -> (ExternalProcess, Int) {
        let port = Ports.free()
        let simulator = try ExternalProcess(SipdialBinary.path, ["simulate", "--listen", "tls:127.0.0.1:\(port)", "--log-level", "info",
                                                                 "--tls-cert", pem("server.crt"), "--tls-key", pem("server.key"), "--tls-ca", pem("ca.crt")] + extra)
        #expect(await simulator.waitForOutput("listening tls", timeout: .seconds(20)), "\(simulator.text)")
        return (simulator, port)
    }

    @Test(arguments: ["sips:100@127.0.0.1:PORT", "sip:100@127.0.0.1:PORT;transport=tls"])
    func aCallOverTLSIsAnswered(_ target: String) async throws {
        let pem = Self.pem
        let (simulator, port) = try await Self.tlsSimulator()
        defer { simulator.stop() }
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
        let pem = Self.pem
        let (simulator, port) = try await Self.tlsSimulator()
        defer { simulator.stop() }
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

    /// `serve --http-tls-cert/--http-tls-key` serves the REST API over HTTPS only: curl,
    /// trusting the test CA, reads `/v1/health` and, with the token, `/v1/trunks`; plain
    /// HTTP on that port gets no answer.
    @Test func theRESTAPIOverHTTPS() async throws {
        let pem = Self.pem
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator", "--http-tls-cert", pem("server.crt"), "--http-tls-key", pem("server.key")])
        defer { serve.process.stop() }
        #expect(serve.process.text.contains("listening https"), "\(serve.process.text.suffix(400))")
        let port = serve.base.port ?? 0
        func curl(_ args: [String]) async throws -> (Int32?, String) {
            let process = try ExternalProcess("/usr/bin/curl", ["-sS", "--max-time", "10"] + args)
            return (await process.wait(timeout: .seconds(20)), process.text)
        }
        let health = try await curl(["--cacert", pem("ca.crt"), "https://localhost:\(port)/v1/health"])
        #expect(health.0 == 0 && health.1.contains(#""status":"ok""#), "\(health)")
        let trunks = try await curl(["--cacert", pem("ca.crt"), "-H", "Authorization: Bearer \(token)", "https://localhost:\(port)/v1/trunks"])
        #expect(trunks.0 == 0 && trunks.1.contains(#""trunks""#), "\(trunks)")
        let plain = try await curl(["http://127.0.0.1:\(port)/v1/health"])
        #expect(plain.0 != 0 && !plain.1.contains(#""status":"ok""#), "\(plain)")
    }

    /// A listener with `--tls-require-client-cert` takes a caller that presents a certificate
    /// the test CA signed (`--tls-client-cert`) and refuses one that presents none: under TLS
    /// 1.3 the refusal closes the connection after the INVITE was written, and the call fails
    /// then as unreachable, not after Timer B (32 s).
    @Test func aListenerRequiringClientCertificatesRefusesCallersWithout() async throws {
        let pem = Self.pem
        let (simulator, port) = try await Self.tlsSimulator(["--tls-require-client-cert"])
        defer { simulator.stop() }
        func call(_ extra: [String]) async throws -> (Int32?, [String: Any]) {
            let (status, out) = try await SipdialBinary.run(["call", "sips:100@127.0.0.1:\(port)", "--json", "--local-address", "127.0.0.1", "--ring-timeout", "5",
                                                             "--tls-ca", pem("ca.crt"), "--tls-cert", pem("client.crt"), "--tls-key", pem("client.key")] + extra,
                                                            timeout: .seconds(60))
            return (status, SipdialBinary.jsonObject(in: out))
        }
        let with = try await call(["--tls-client-cert"])
        #expect(with.0 == 0 && with.1["outcome"] as? String == "answered", "\(with.1)")
        let without = try await call([])
        #expect(without.0 != 0 && without.1["outcome"] as? String == "unreachable", "\(without.1)")
        let ended = (without.1["times"] as? [String: Any])?["ended"] as? Double ?? 99
        #expect(ended < 4, "refused at once, not at Timer B: \(without.1)")
    }
}
