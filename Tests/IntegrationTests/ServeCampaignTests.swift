import DialerStore
import Foundation
import Testing

/// `sipdial serve` dialing a campaign through a trunk that is `sipdial simulate` on
/// 127.0.0.1 with a scripted outcome per number: the campaign completes, the CDRs count what
/// the simulator did, busy numbers are retried after their delay, do-not-call numbers never
/// reach the trunk, and a `kill -9` in the middle neither double-dials an attempt nor loses
/// a CDR.
@Suite(.serialized)
struct ServeCampaignTests {
    /// A scratch data directory, removed afterwards.
    final class Scratch {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-campaign-\(UUID().uuidString)")
        deinit { try? FileManager.default.removeItem(at: data) }
    }

    static func phone(_ n: Int) -> String { "+1555\(String(format: "%07d", n))" }

    /// `simulate` on `host` logging each incoming call, with `behaviours` by number.
    static func simulator(_ behaviours: [String: String], host: String = "127.0.0.1") async throws -> (ExternalProcess, Int) {
        let port = Ports.free()
        let args = ["simulate", "--listen", "udp:\(host):\(port)", "--log-level", "info", "--behaviour", "*=answer"]
            + behaviours.sorted { $0.key < $1.key }.flatMap { ["--behaviour", "\($0.key)=\($0.value)"] }
        let process = try ExternalProcess(SipdialBinary.path, args)
        #expect(await process.waitForOutput("listening udp", timeout: .seconds(20)), "\(process.text)")
        return (process, port)
    }

    /// A list of `phones`, queued on a new campaign (trunk, list and campaign all called
    /// `name`) through the trunk at 127.0.0.1:`port` (`trunkSettings` add to or replace that).
    static func campaign(_ serve: ServeProcess, trunkPort: Int, phones: [String], settings: [String: Any], name: String = "simulator",
                         trunkSettings: [String: Any] = [:]) async throws -> String {
        let trunk = try await serve.create("trunks", ["name": name, "host": "127.0.0.1", "port": trunkPort].merging(trunkSettings) { $1 })
        let list = try await serve.create("lists", ["name": name])
        let (imported, result) = try await serve.send("POST", "lists/\(list)/contacts", ["contacts": phones.map { ["phone": $0] }])
        #expect(imported == 200 && result["imported"] as? Int == phones.count, "\(result)")
        var body = settings
        body["name"] = name
        body["trunk_id"] = trunk
        let campaign = try await serve.create("campaigns", body)
        let (queued, _) = try await serve.send("POST", "campaigns/\(campaign)/lists", ["list_id": list])
        #expect(queued == 200)
        return campaign
    }

    static func isCompleted(_ campaign: [String: Any]) -> Bool { campaign["status"] as? String == "completed" }

    @Test func aCampaignOf500At600PerMinuteCompletesAndItsCDRsCountWhatTheTrunkDid() async throws {
        let scratch = Scratch()
        let phones = (0..<500).map(Self.phone)
        // By the number's last digits: busy, refused as congested, never answered, or on
        // the do-not-call list; everything else is answered.
        let busy = phones.enumerated().filter { $0.offset % 10 == 1 }.map(\.element)
        let congested = phones.enumerated().filter { $0.offset % 10 == 2 }.map(\.element)
        let unanswered = phones.enumerated().filter { $0.offset % 25 == 3 }.map(\.element)
        let dnd = phones.enumerated().filter { $0.offset % 50 == 4 }.map(\.element)
        var behaviours: [String: String] = [:]
        for phone in busy { behaviours[phone] = "busy" }
        for phone in congested { behaviours[phone] = "reject=503" }
        for phone in unanswered { behaviours[phone] = "no-answer" }
        let (simulator, port) = try await Self.simulator(behaviours)
        defer { simulator.stop() }

        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        let dndList = try await serve.create("dnd", ["name": "opted out"])
        let (added, _) = try await serve.send("POST", "dnd/\(dndList)/numbers", ["numbers": dnd])
        #expect(added == 200)
        let campaign = try await Self.campaign(serve, trunkPort: port, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 60, "max_attempts": 2, "ring_timeout": 5,
            "retry_policy": ["busy": 2], "dnd_list_ids": [dndList],
            "flow": [["verb": "pause", "seconds": 0.5]],
        ])
        let started = ContinuousClock.now
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(180), until: Self.isCompleted)
        let elapsed = ContinuousClock.now - started
        #expect(Self.isCompleted(final), "\(final)")

        // What the trunk saw: busy numbers twice (the retry), do-not-call numbers never.
        let invites = simulator.incomingCalls
        for phone in phones {
            let expected = dnd.contains(phone) ? 0 : busy.contains(phone) ? 2 : 1
            #expect(invites[phone, default: 0] == expected, "\(phone): \(invites[phone, default: 0]) INVITEs")
        }
        // What the CDRs say, through the API and in the store.
        let statistics = try #require(final["statistics"] as? [String: Int], "\(final)")
        let answered = phones.count - Set(busy + congested + unanswered + dnd).count
        #expect(statistics["busy"] == busy.count * 2)
        #expect(statistics["congestion"] == congested.count)
        #expect(statistics["no_answer"] == unanswered.count)
        #expect(statistics["dnd"] == dnd.count)
        #expect(statistics["answered"] == answered)
        #expect(statistics["total"] == phones.count + busy.count)
        let cdrs = try DialerStore(directory: scratch.data).cdrs(campaignID: campaign)
        #expect(cdrs.count == phones.count + busy.count)
        #expect(cdrs.filter { $0.disposition == "dnd" }.allSatisfy { $0.sipCallId == nil })
        // The retry came after its delay.
        for phone in busy.prefix(10) {
            let times = cdrs.filter { $0.phone == phone }.map(\.startedAt).sorted()
            #expect(times.count == 2 && times[1] - times[0] >= 2, "\(phone): \(times)")
        }
        print("500 contacts at 600/min: completed in \(elapsed)")
    }

    /// `kill -9` while calls are up, then a restart on the same data: three times in a row
    /// (`SIPDIAL_CRASH_ROUNDS` for more), then the campaign runs to its end.
    @Test func killDashNineMidCampaignNeitherDoubleDialsNorLosesACDR() async throws {
        let rounds = ProcessInfo.processInfo.environment["SIPDIAL_CRASH_ROUNDS"].flatMap(Int.init) ?? 3
        let scratch = Scratch()
        let phones = (0..<(rounds * 20)).map(Self.phone)
        let (simulator, port) = try await Self.simulator([:])
        defer { simulator.stop() }
        let token = try await ServeProcess.token(data: scratch.data)
        var serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        let campaign = try await Self.campaign(serve, trunkPort: port, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 20, "max_attempts": rounds + 1, "retry_policy": ["interrupted": 1],
            "flow": [["verb": "pause", "seconds": 3]],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        for round in 1...rounds {
            // Kill it while calls are up.
            let midway = try await serve.waitForCampaign(campaign, timeout: .seconds(60)) {
                (($0["progress"] as? [String: Int])?["dialing"] ?? 0) >= 10
            }
            #expect(((midway["progress"] as? [String: Int])?["dialing"] ?? 0) >= 10, "round \(round): \(midway)")
            kill(serve.process.process.processIdentifier, SIGKILL)
            _ = await serve.process.wait(timeout: .seconds(10))
            serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        }
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(180), until: Self.isCompleted)
        #expect(Self.isCompleted(final), "\(final)")
        serve.process.stop()
        #expect(try DialerStore(directory: scratch.data).closeInterruptedAttempts(now: Date().timeIntervalSince1970) { _, _ in nil }.isEmpty,
                "every attempt was closed with its CDR")

        let store = try DialerStore(directory: scratch.data)
        let cdrs = try store.cdrs(campaignID: campaign)
        let interrupted = cdrs.filter { $0.disposition == "interrupted" }
        #expect(interrupted.count >= 10 * rounds, "the calls up at each kill are closed as interrupted")
        #expect(Set(cdrs.compactMap(\.attemptId)).count == cdrs.count, "one CDR per attempt")
        let invites = simulator.incomingCalls
        for phone in phones {
            let attempts = cdrs.filter { $0.phone == phone }
            // Every number ends answered: first time, or on its retry after the kill.
            #expect(attempts.last?.disposition == "answered", "\(phone): \(attempts.map(\.disposition))")
            // An INVITE per attempt at most: none sent twice for one attempt, and an attempt
            // the kill cut before its INVITE left was not sent at all.
            #expect(invites[phone, default: 0] <= attempts.count, "\(phone): \(invites[phone, default: 0]) INVITEs, \(attempts.count) attempts")
            #expect(invites[phone, default: 0] >= attempts.filter { $0.disposition == "answered" }.count)
        }
    }
}
