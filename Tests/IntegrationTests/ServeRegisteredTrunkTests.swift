import Foundation
import Testing

/// A simulated trunk that requires digest registration (`simulate --require-registration`):
/// unregistered callers are refused, a wrong password is reported as an authentication
/// failure, and `serve` with the trunk's credentials registers and then dials through it.
@Suite(.serialized)
struct ServeRegisteredTrunkTests {
    static func simulator(port: Int = Ports.free()) async throws -> (ExternalProcess, Int) {
        let process = try ExternalProcess(SipdialBinary.path, ["simulate", "--listen", "udp:127.0.0.1:\(port)", "--log-level", "info",
                                                               "--require-registration", "alice:secret", "--realm", "test-trunk"])
        #expect(await process.waitForOutput("listening udp", timeout: .seconds(20)), "\(process.text)")
        return (process, port)
    }

    /// The `summary {…}` the simulator prints when stopped.
    static func summary(of process: ExternalProcess) async throws -> [String: Any] {
        kill(process.process.processIdentifier, SIGTERM)
        _ = await process.wait(timeout: .seconds(10))
        let line = process.text.split(separator: "\n").first { $0.hasPrefix("summary ") } ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(8).utf8))) as? [String: Any] ?? [:]
    }

    /// `serve` with no embedded simulator, looking at its trunks every second.
    static func serve(_ scratch: ServeCampaignTests.Scratch) async throws -> ServeProcess {
        let token = try await ServeProcess.token(data: scratch.data)
        return try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator", "--trunk-check-interval", "1"])
    }

    @Test func unregisteredCallersAndWrongPasswordsAreRefused() async throws {
        let (simulator, port) = try await Self.simulator()
        defer { simulator.stop() }
        let (call, callOut) = try await SipdialBinary.run(["call", "sip:1000@127.0.0.1:\(port)", "--local-address", "127.0.0.1", "--json"])
        #expect(call == 1 && SipdialBinary.jsonObject(in: callOut)["sip_code"] as? Int == 403, "\(callOut)")
        let (wrong, wrongOut) = try await SipdialBinary.run(["register", "--registrar", "127.0.0.1:\(port)", "--user", "alice", "--password", "guess",
                                                             "--json", "--local-address", "127.0.0.1"])
        #expect(wrong == 1 && wrongOut.contains("\"step\":\"authentication-failed\""), "\(wrongOut)")
        // The right password: registered for 6 s, refreshed at half of it, unregistered at the end.
        let (right, rightOut) = try await SipdialBinary.run(["register", "--registrar", "127.0.0.1:\(port)", "--user", "alice", "--password", "secret",
                                                             "--expires", "6", "--hold", "4", "--local-address", "127.0.0.1"])
        #expect(right == 0 && rightOut.split(separator: "\n").filter { $0.contains("registered expires=6") }.count >= 2, "\(rightOut)")
        let summary = try await Self.summary(of: simulator)
        let registrations = summary["registrations"] as? [String: Int] ?? [:]
        #expect(registrations["unregistered_calls"] == 1 && registrations["authentication_failures"] == 1, "\(summary)")
        #expect((registrations["registered"] ?? 0) >= 2 && registrations["unregistered"] == 1, "\(summary)")
        #expect((summary["final_responses"] as? [String: Int])?["403"] == 1, "\(summary)")
    }

    @Test func serveRegistersWithTheTrunkThenItsCampaignGetsThrough() async throws {
        let (simulator, port) = try await Self.simulator()
        defer { simulator.stop() }
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let phones = (0..<5).map(ServeCampaignTests.phone)
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: port, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 5, "max_attempts": 1, "flow": [["verb": "pause", "seconds": 0.5]],
        ], trunkSettings: ["username": "alice", "password": "secret", "register": true, "register_expires": 60])
        // Registered before dialing: the trunk's status says so.
        let trunks = try await serve.send("GET", "trunks").1["trunks"] as? [[String: Any]] ?? []
        let trunk = try #require(trunks.first?["id"] as? String, "\(trunks)")
        var status: [String: Any] = [:]
        try await poll(timeout: .seconds(20)) {
            status = try await serve.send("GET", "trunks/\(trunk)").1["status"] as? [String: Any] ?? [:]
            return status["registration"] as? String == "registered"
        }
        #expect(status["registration"] as? String == "registered", "\(status)")
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(60), until: ServeCampaignTests.isCompleted)
        #expect((final["statistics"] as? [String: Int])?["answered"] == phones.count, "\(final)")
        let summary = try await Self.summary(of: simulator)
        #expect((summary["registrations"] as? [String: Int])?["unregistered_calls"] == 0 && summary["answered"] as? Int == phones.count, "\(summary)")
    }

    /// The registering trunk disappears for 60 s mid-campaign (`SIPDIAL_OUTAGE_SECONDS` to
    /// change it) and comes back on the same port, knowing no registration: the calls it
    /// left hanging fail and are retried as the campaign's policy says, serve registers again
    /// by itself, every number is answered in the end, and no call stays in the live list.
    @Test func aTrunkOutageMidCampaignIsRetriedAndRegistrationRecovers() async throws {
        let outage = ProcessInfo.processInfo.environment["SIPDIAL_OUTAGE_SECONDS"].flatMap(Double.init) ?? 60
        var (simulator, port) = try await Self.simulator()
        defer { simulator.stop() }
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let phones = (0..<30).map { ServeCampaignTests.phone(500 + $0) }
        let retryAfter2s = ["failed", "channel_unavailable", "congestion", "no_answer"].reduce(into: [String: Any]()) { $0[$1] = 2 }
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: port, phones: phones, settings: [
            "calls_per_minute": 120, "max_concurrent": 4, "max_attempts": 10, "retry_policy": retryAfter2s,
            "flow": [["verb": "pause", "seconds": 0.5]],
        ], trunkSettings: ["username": "alice", "password": "secret", "register": true, "register_expires": 60])
        let trunk = try #require((try await serve.send("GET", "trunks").1["trunks"] as? [[String: Any]])?.first?["id"] as? String)
        func registration() async throws -> String? {
            (try await serve.send("GET", "trunks/\(trunk)").1["status"] as? [String: Any])?["registration"] as? String
        }
        #expect(try await poll(timeout: .seconds(20)) { try await registration() == "registered" })
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        // Down after a few calls were answered, for the whole outage.
        #expect(try await poll(timeout: .seconds(30)) { (try await serve.send("GET", "cdrs").1["cdrs"] as? [[String: Any]] ?? []).count >= 4 })
        simulator.stop()
        try await Task.sleep(for: .milliseconds(Int64(outage * 1000)))
        let duringOutage = try await serve.send("GET", "campaigns/\(campaign)").1
        (simulator, port) = try await Self.simulator(port: port)

        let recovered = try await poll(timeout: .seconds(120)) { try await registration() == "registered" }
        let state = try await registration() ?? "none"
        #expect(recovered, "registration after the outage: \(state)")
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(180), until: ServeCampaignTests.isCompleted)
        #expect((final["statistics"] as? [String: Int])?["answered"] == phones.count, "every number answered in the end: \(final)\nduring the outage: \(duringOutage)")
        let cdrs = try await serve.send("GET", "cdrs?limit=500").1["cdrs"] as? [[String: Any]] ?? []
        #expect(cdrs.contains { $0["disposition"] as? String != "answered" }, "calls failed while the trunk was down and were retried")
        #expect((try await serve.send("GET", "calls").1["calls"] as? [[String: Any]] ?? []).isEmpty, "no call left in the live list")
    }
}
