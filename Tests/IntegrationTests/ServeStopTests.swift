import DialerStore
import Foundation
import Testing

/// SIGTERM while calls of every kind are up — campaign calls answered and ringing, a single
/// call, click-to-calls bridged and still ringing the customer, an inbound call — ends each
/// after `--drain` (BYE, or CANCEL while ringing), writes every CDR, and exits within what the
/// stop allows: the drain (1 s) and at most ten one-second hang-up rounds. Alone it takes
/// about 2 s; with the whole suite sharing two cores it has taken 9. Before: the drain waited on a task group whose child awaited the pacer, which
/// ignores cancellation, so a stop with click-to-calls up never ended.
struct ServeStopTests {
    @Test func aStopEndsCallsOfEveryKindWritesTheirCDRsAndExits() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let ringing = ["+15550107001", "+15550107002"]
        let (simulator, trunkPort) = try await ServeCampaignTests.simulator(Dictionary(uniqueKeysWithValues: ringing.map { ($0, "no-answer") }))
        defer { simulator.stop() }
        let sipPort = Ports.free()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: sipPort,
                                                 ["--drain", "1", "--inbound-flow", #"[{"verb": "pause", "seconds": 120}]"#])
        defer { serve.process.stop() }
        let hold: [[String: Any]] = [["verb": "pause", "seconds": 120]]

        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: trunkPort, phones: ["+15550107010", "+15550107011", ringing[0]],
                                                  settings: ["calls_per_minute": 600, "max_concurrent": 3, "ring_timeout": 120, "flow": hold])
        let trunk = try #require((try await serve.send("GET", "trunks").1["trunks"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        _ = try await serve.create("calls", ["phone": "+15550107020", "trunk_id": trunk, "flow": hold])
        _ = try await serve.create("click-to-call", ["agent": "+15550107030", "customer": "+15550107031", "trunk_id": trunk])
        _ = try await serve.create("click-to-call", ["agent": "+15550107040", "customer": ringing[1], "trunk_id": trunk, "ring_timeout": 120])
        let caller = try ExternalProcess(SipdialBinary.path, ["call", "sip:inbound@127.0.0.1:\(sipPort)", "--local-address", "127.0.0.1",
                                                              "--hold", "120", "--json"])
        defer { caller.stop() }

        // Seven calls up: four answered, three ringing (a campaign call, a click-to-call's customer).
        var calls: [[String: Any]] = []
        let allUp = try await poll(timeout: .seconds(30), every: .milliseconds(200)) {
            calls = try await serve.send("GET", "calls").1["calls"] as? [[String: Any]] ?? []
            let states = calls.compactMap { $0["state"] as? String }
            return states.count == 7 && states.filter { $0 == "answered" }.count == 5 && states.filter { $0 == "ringing" }.count == 2
        }
        #expect(allUp, "\(calls)")

        let stopped = ContinuousClock.now
        serve.process.process.terminate()
        let status = await serve.process.wait(timeout: .seconds(30))
        let took = ContinuousClock.now - stopped
        #expect(status == 0, "\(serve.process.text.suffix(2_000))")
        #expect(took < .seconds(15), "exited \(took) after SIGTERM with --drain 1")

        // The inbound caller was hung up by serve.
        #expect(await caller.wait(timeout: .seconds(10)) == 0, "\(caller.text)")
        #expect(SipdialBinary.jsonObject(in: caller.text)["hung_up_by"] as? String == "remote", "\(caller.text)")

        // Every attempt has its CDR, none left for the next start to close as interrupted.
        let store = try DialerStore(directory: scratch.data)
        let cdrs = try store.cdrs()
        #expect(cdrs.count == 7, "\(cdrs.map { ($0.phone, $0.outcome) })")
        #expect(cdrs.allSatisfy { $0.outcome != "interrupted" }, "\(cdrs.map { ($0.phone, $0.outcome, $0.reason ?? "") })")
        let byPhone = Dictionary(cdrs.map { ($0.phone, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(byPhone[ringing[0]] != "answered" && byPhone[ringing[1]] != "answered", "\(byPhone)")
        #expect(try store.closeInterruptedAttempts(now: Date().timeIntervalSince1970) { _, _ in nil }.isEmpty)
    }
}
