import Foundation
import Testing

/// `sipdial register` against Kamailio as a digest-authenticating registrar
/// (Tests/IntegrationTests/Kamailio), over real sockets on 127.0.0.1. The binding is checked
/// through Kamailio itself (`kamcmd ul.dump`).
@Suite(.serialized)
struct KamailioRegistrationTests {
    final class Kamailio {
        let process: ExternalProcess
        let port: Int
        let dir: URL
        var ctl: String { "unix:" + dir.appendingPathComponent("ctl.sock").path }

        /// The TLS port, when started with a certificate.
        let tlsPort: Int?

        /// Kamailio on a free port over UDP and TCP; with `certificate` (a name that
        /// `Certs/make-test-certs.sh` wrote in `certificates`) also over TLS on another port;
        /// with `uas` (a UDP port on 127.0.0.1) also a proxy that relays new INVITEs there.
        init(certificate: String? = nil, certificates: URL? = nil, uas: Int? = nil) async throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-kamailio-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let source = Bundle.module.url(forResource: "Kamailio", withExtension: nil)!
            try FileManager.default.copyItem(at: source.appendingPathComponent("db"), to: dir.appendingPathComponent("db"))
            port = Ports.free()
            var args = [
                "-f", source.appendingPathComponent("kamailio.cfg").path, "-DD", "-E", "-w", dir.path,
                "-A", "LISTEN_UDP=udp:127.0.0.1:\(port)", "-A", "LISTEN_TCP=tcp:127.0.0.1:\(port)",
                "-A", "CTL_SOCKET=\"unix:\(dir.path)/ctl.sock\"", "-A", "DB_URL=\"text://\(dir.path)/db\"",
            ]
            if let uas { args += ["-A", "UAS_URI=\"sip:127.0.0.1:\(uas)\""] }
            if let certificate, let certificates {
                let tls = Ports.free()
                let config = dir.appendingPathComponent("tls.cfg")
                let pem = { (name: String) in certificates.appendingPathComponent(name).path }
                try """
                    [server:default]
                    method = TLSv1.2+
                    verify_certificate = no
                    require_certificate = no
                    certificate = \(pem(certificate + ".crt"))
                    private_key = \(pem(certificate + ".key"))
                    ca_list = \(pem("ca.crt"))

                    [client:default]
                    method = TLSv1.2+
                    verify_certificate = no
                    require_certificate = no

                    """.write(to: config, atomically: true, encoding: .utf8)
                args += ["-A", "WITH_TLS", "-A", "LISTEN_TLS=tls:127.0.0.1:\(tls)", "-A", "TLS_CONFIG=\"\(config.path)\""]
                tlsPort = tls
            } else {
                tlsPort = nil
            }
            process = try ExternalProcess("/usr/sbin/kamailio", args)
            // Up to 30 s: the first tests of a full run start many processes at once on two cores.
            let udp = await Ports.waitUntilBound(port, udp: true, timeout: .seconds(30))
            let tcp = await Ports.waitUntilBound(port, udp: false, timeout: .seconds(30))
            let tls = await Ports.waitUntilBound(tlsPort ?? port, udp: false, timeout: .seconds(30))
            #expect(udp && tcp && tls, "kamailio did not start: \(process.text.suffix(1500))")
        }

        /// The AORs in Kamailio's location table.
        func bindings() async throws -> String {
            let kamcmd = try ExternalProcess("/usr/sbin/kamcmd", ["-s", ctl, "ul.dump"])
            _ = await kamcmd.wait(timeout: .seconds(10))
            return kamcmd.text
        }

        deinit {
            process.stop()
            try? FileManager.default.removeItem(at: dir)
        }
    }

    @Test(arguments: ["udp", "tcp"])
    func registersRefreshesAndUnregisters(_ transport: String) async throws {
        let kamailio = try await Kamailio()
        let register = try ExternalProcess(SipdialBinary.path, [
            "register", "--registrar", "127.0.0.1:\(kamailio.port)", "--user", "acme", "--password", "secret",
            "--transport", transport, "--expires", "6", "--hold", "14", "--local-address", "127.0.0.1",
        ])
        #expect(await register.waitForOutput("registered expires=6", timeout: .seconds(10)), "\(register.text)")
        let during = try await kamailio.bindings()
        #expect(during.contains("acme@127.0.0.1"), "binding missing while registered: \(during)")
        let status = await register.wait(timeout: .seconds(30))
        #expect(status == 0, "\(register.text)")
        let lines = register.text.split(separator: "\n")
        // Expiry 6 s, refresh at half: registered at 0 s, 3 s, 6 s … within the 14 s hold (long
        // enough for the binding check to come before the unregister on two loaded cores).
        #expect(lines.filter { $0.contains("registered expires=6") }.count >= 3, "\(register.text)")
        #expect(lines.last?.contains("unregistered") == true)
        let after = try await kamailio.bindings()
        #expect(!after.contains("acme@127.0.0.1"), "binding left after unregister: \(after)")
    }

    @Test func wrongPasswordIsAnAuthenticationFailure() async throws {
        let kamailio = try await Kamailio()
        let (status, out) = try await SipdialBinary.run([
            "register", "--registrar", "127.0.0.1:\(kamailio.port)", "--user", "acme", "--password", "wrong", "--json", "--local-address", "127.0.0.1",
        ])
        #expect(status == 1, "\(out)")
        #expect(out.contains("\"step\":\"authentication-failed\""), "\(out)")
        #expect(!(try await kamailio.bindings()).contains("acme@127.0.0.1"))
    }
}
