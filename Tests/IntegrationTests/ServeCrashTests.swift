import DialerStore
import Foundation
import Testing

/// `kill -9` of `serve` in the middle of a running campaign, three times (`SIPDIAL_CRASH_ROUNDS`
/// for more), each followed by
/// a restart on the same data directory; then the campaign runs to its end. The trunk is
/// `sipdial simulate`, whose log names the number of every new INVITE: no number got more
/// INVITEs than it has attempts, and every attempt has its CDR (those a kill cut are closed
/// `interrupted` at the next start and retried per the campaign's policy).
struct ServeCrashTests {
    @Test func killedMidCampaignNeverDialsANumberMoreThanItsAttempts() async throws {
        let rounds = ProcessInfo.processInfo.environment["SIPDIAL_CRASH_ROUNDS"].flatMap(Int.init) ?? 3
        let scratch = ServeCampaignTests.Scratch()
        let phones = (0..<(rounds * 12)).map { ServeCampaignTests.phone(9_000 + $0) }
        let (simulator, trunkPort) = try await ServeCampaignTests.simulator([:])
        defer { simulator.stop() }
        let token = try await ServeProcess.token(data: scratch.data)
        var serve = try await ServeProcess.start(data: scratch.data, token: token)
        defer { serve.process.stop() }
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: trunkPort, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 4, "max_attempts": 4, "retry_policy": ["interrupted": 1],
            "flow": [["verb": "pause", "seconds": 1]],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)

        for round in 1...rounds {
            // Killed while calls are up: after this round's share of INVITEs reached the trunk.
            let reached = try await poll(timeout: .seconds(30), every: .milliseconds(50)) {
                Self.invites(in: simulator.text).values.reduce(0, +) >= round * 8
            }
            #expect(reached, "round \(round): \(simulator.text.suffix(500))")
            kill(serve.process.process.processIdentifier, SIGKILL)
            _ = await serve.process.wait(timeout: .seconds(10))
            serve = try await ServeProcess.start(data: scratch.data, token: token)
        }
        let done = try await serve.waitForCampaign(campaign, timeout: .seconds(120), until: ServeCampaignTests.isCompleted)
        #expect(ServeCampaignTests.isCompleted(done), "\(done)")
        serve.process.stop()
        _ = await serve.process.wait(timeout: .seconds(30))

        let store = try DialerStore(directory: scratch.data)
        #expect(try store.closeInterruptedAttempts(now: Date().timeIntervalSince1970) { _, _ in nil }.isEmpty, "attempts left open")
        let cdrs = try store.cdrs(campaignID: campaign)
        // An attempt is closed with its CDR in one transaction, so CDRs count the attempts.
        var attempts: [String: Int] = [:]
        for cdr in cdrs { attempts[cdr.phone, default: 0] += 1 }
        let invites = Self.invites(in: simulator.text)
        #expect(cdrs.contains { $0.outcome == "interrupted" }, "a kill cut calls up: \(cdrs.map(\.outcome))")
        for phone in phones {
            #expect(invites[phone, default: 0] <= attempts[phone, default: 0], "\(phone): \(invites[phone, default: 0]) INVITEs, \(attempts[phone, default: 0]) attempts")
            #expect(cdrs.contains { $0.phone == phone && $0.outcome == "answered" }, "\(phone) answered once in the end")
        }
    }

    /// New INVITEs per number, read from simulate's `incoming call` log lines.
    static func invites(in log: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in log.split(separator: "\n") where line.contains("incoming call") {
            guard let range = line.range(of: "number=") else { continue }
            let number = line[range.upperBound...].prefix { !$0.isWhitespace }
            counts[String(number), default: 0] += 1
        }
        return counts
    }
}
