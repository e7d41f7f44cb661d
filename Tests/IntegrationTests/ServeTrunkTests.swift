import Foundation
import Testing

/// A trunk that registers, as `serve` keeps it: Kamailio (the digest registrar of
/// `KamailioRegistrationTests`) holds the binding while the trunk is configured, the trunk's
/// status shows the registration and the OPTIONS round trip, and SIGTERM unregisters it.
struct ServeTrunkTests {
    @Test func aRegisteringTrunkIsRegisteredPingedAndUnregisteredOnStop() async throws {
        let kamailio = try await KamailioRegistrationTests.Kamailio()
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--trunk-check-interval", "1", "--no-simulator"])
        defer { serve.process.stop() }
        let id = try await serve.create("trunks", ["name": "kamailio", "host": "127.0.0.1", "port": kamailio.port, "username": "acme",
                                                   "password": "secret", "register": true, "register_expires": 60])
        var status: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            status = try await serve.send("GET", "trunks/\(id)").1["status"] as? [String: Any] ?? [:]
            if status["registration"] as? String == "registered", status["options_rtt_ms"] is Double { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(status["registration"] as? String == "registered" && status["registered_for"] as? Int == 60, "\(status)")
        #expect(status["reachable"] as? Bool == true && (status["options_rtt_ms"] as? Double ?? -1) >= 0, "\(status)")
        #expect(try await kamailio.bindings().contains("acme@127.0.0.1"))

        kill(serve.process.process.processIdentifier, SIGTERM)
        #expect(await serve.process.wait(timeout: .seconds(20)) == 0, "\(serve.process.text.suffix(800))")
        #expect(!(try await kamailio.bindings()).contains("acme@127.0.0.1"), "unregistered at shutdown")
    }
}
