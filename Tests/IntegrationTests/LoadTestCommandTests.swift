import DialerStore
import Foundation
import Testing

/// `sipdial loadtest` against real peers on 127.0.0.1: the report's counts must equal what the
/// far end itself counted (the simulator's summary, SIPp's statistics screen).
@Suite(.serialized)
struct LoadTestCommandTests {
    /// Runs a load test writing its report to a file, and returns the exit status, the report
    /// and what the command printed.
    static func loadtest(_ args: [String], in dir: URL, timeout: Duration = .seconds(90)) async throws -> (Int32?, [String: Any], String) {
        let report = dir.appendingPathComponent("report-\(UUID().uuidString).json")
        let (status, out) = try await SipdialBinary.run(["loadtest", "--local-address", "127.0.0.1", "--report", report.path] + args, timeout: timeout)
        let data = (try? Data(contentsOf: report)) ?? Data()
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], out)
    }

    /// Stops the simulator and reads the summary line it prints as it exits.
    static func summary(of sim: SimulatorProcess) async -> [String: Any] {
        sim.process.process.terminate()
        _ = await sim.process.wait(timeout: .seconds(10))
        let line = sim.process.text.split(separator: "\n").first { $0.hasPrefix("summary ") } ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(8).utf8))) as? [String: Any] ?? [:]
    }

    @Test func reportMatchesWhatTheSimulatorDid() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--mix", "70:answer", "--mix", "10:busy", "--mix", "10:no-answer", "--mix", "10:reject=503"],
                                                   recordingInto: dir)
        defer { sim.process.stop() }
        let html = dir.appendingPathComponent("report.html")
        let (status, report, out) = try await Self.loadtest(["--target", "127.0.0.1:\(sim.port)", "--cps", "25", "--calls", "100", "--hold", "0.5",
                                                             "--ring-timeout", "1", "--html", html.path], in: dir)
        let far = await Self.summary(of: sim)
        #expect(status == 0, "\(out)")
        #expect(report["offered"] as? Int == 100 && report["placed"] as? Int == 100 && report["finished"] as? Int == 100, "\(out)")
        #expect(far["invites"] as? Int == 100, "\(far)")
        // Every final response the simulator sent is one the report counted, code by code:
        // 200 answered, 486 busy, 487 after the ring timeout's CANCEL, 503 rejected.
        let codes = report["final_codes"] as? [String: Int] ?? [:]
        #expect(codes == far["final_responses"] as? [String: Int], "report \(codes) simulator \(far)")
        let results = report["results"] as? [String: Int] ?? [:]
        #expect(results["answered"] == far["answered"] as? Int && results["busy"] == codes["486"] && results["no_answer"] == codes["487"]
                && results["rejected"] == codes["503"], "\(results)")
        #expect(Set(codes.keys).isSubset(of: ["200", "486", "487", "503"]) && (codes["200"] ?? 0) >= 50, "a 70 % answer mix: \(codes)")
        // Open loop at 25 calls/s: 100 calls offered in 4 s whatever the outcomes.
        #expect(abs((report["offered_cps"] as? Double ?? 0) - 25) < 0.5, "\(report)")
        let answer = report["answer_ms"] as? [String: Any] ?? [:]
        #expect((answer["count"] as? Int) == results["answered"] && (answer["p99"] as? Double ?? 0) > 0, "\(answer)")
        let duration = report["duration"] as? [String: Any] ?? [:]
        let error = (duration["absolute_error_ms"] as? [String: Any])?["p99"] as? Double ?? 9999
        #expect(duration["calls"] as? Int == results["answered"] && error < 250, "calls held 0.5 s: \(duration)")
        #expect((report["timeline"] as? [[String: Any]])?.count ?? 0 >= 4, "one timeline entry a second")
        #expect(out.contains("offered 25/s"), "a progress line every second: \(out)")
        let page = (try? String(contentsOf: html, encoding: .utf8)) ?? ""
        #expect(page.hasPrefix("<!doctype html>") && page.components(separatedBy: "<svg").count == 4 && page.contains("487"), "three charts and the code table")
    }

    @Test func callsWithMediaReportTheirRTP() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--play", CallMediaTests.prompt], recordingInto: dir)
        defer { sim.process.stop() }
        let (status, report, out) = try await Self.loadtest(["--target", "127.0.0.1:\(sim.port)", "--cps", "5", "--calls", "10", "--hold", "2",
                                                             "--play", CallMediaTests.prompt, "--rtp-ports", "42000-42999"], in: dir)
        let far = await Self.summary(of: sim)
        #expect(status == 0 && far["answered"] as? Int == 10, "\(out) \(far)")
        let rtp = report["rtp"] as? [String: Any] ?? [:]
        // 2 s of 20 ms packets each way per call: about 100 sent and 100 received, none lost.
        let sent = rtp["packets_sent"] as? Int ?? 0, received = rtp["packets_received"] as? Int ?? 0
        #expect(rtp["calls"] as? Int == 10 && sent >= 900 && received >= 900 && rtp["packets_lost"] as? Int == 0, "\(rtp)")
        #expect((report["plan"] as? [String: Any])?["media"] as? Bool == true)
    }

    @Test func reportMatchesSIPpsOwnCounts() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await SIPp.listening(["-sn", "uas", "-m", "60", "-trace_msg"], timeoutSeconds: 60, in: dir)
        defer { sipp.stop() }
        let (status, report, out) = try await Self.loadtest(["--target", "127.0.0.1:\(port)", "--cps", "30", "--calls", "60", "--hold", "0.2",
                                                             "--signaling-threads", "3"], in: dir)
        _ = await sipp.wait(timeout: .seconds(20))
        #expect(status == 0, "\(out)")
        let screen = sipp.text
        #expect(SIPp.messages(of: "INVITE", in: screen) == 60 && report["placed"] as? Int == 60, "\(screen)")
        // SIPp's UAS sends 180 then 200 to each INVITE and answers each BYE with 200.
        #expect((report["final_codes"] as? [String: Int])?["200"] == SIPp.messages(of: "200", in: screen), "\(report) \(screen)")
        #expect(SIPp.messages(of: "BYE", in: screen) == (report["results"] as? [String: Int])?["answered"], "\(screen)")
        #expect((report["first_response_ms"] as? [String: Any])?["count"] as? Int == 60, "every call got its 180: \(report)")
        // The calls went out from three endpoints in turn: three Via ports, 20 INVITEs each.
        let invites = SIPp.messageTrace(in: dir).components(separatedBy: "INVITE sip:").dropFirst()
        let viaPorts = invites.compactMap { $0.firstMatch(of: /Via: SIP\/2\.0\/UDP 127\.0\.0\.1:(\d+)/).map { String($0.1) } }
        #expect(Dictionary(grouping: viaPorts, by: { $0 }).mapValues(\.count).values.sorted() == [20, 20, 20], "\(viaPorts)")
    }

    @Test func blockedCallsAreCountedNotDelayed() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start([], recordingInto: dir)
        defer { sim.process.stop() }
        // 20 calls/s held 1 s with at most 5 up: about 15 of each second's 20 find no room.
        let (status, report, out) = try await Self.loadtest(["--target", "127.0.0.1:\(sim.port)", "--cps", "20", "--calls", "40", "--hold", "1",
                                                             "--max-concurrent", "5"], in: dir)
        let far = await Self.summary(of: sim)
        let results = report["results"] as? [String: Int] ?? [:]
        #expect(status == 0 && report["offered"] as? Int == 40, "\(out)")
        #expect((results["blocked"] ?? 0) >= 20 && (results["answered"] ?? 0) + (results["blocked"] ?? 0) == 40, "\(results)")
        #expect(far["invites"] as? Int == report["placed"] as? Int, "blocked calls send no INVITE: \(far)")
    }

    @Test func campaignModeRunsTheWholeEngine() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--mix", "80:answer", "--mix", "10:busy", "--mix", "10:reject=503"], recordingInto: dir)
        defer { sim.process.stop() }
        let data = dir.appendingPathComponent("data")
        let (status, report, out) = try await Self.loadtest(["--campaign", "--data", data.path, "--target", "127.0.0.1:\(sim.port)", "--cps", "10",
                                                             "--calls", "40", "--hold", "0.5", "--say", "Load test."], in: dir)
        let far = await Self.summary(of: sim)
        #expect(status == 0 && (report["plan"] as? [String: Any])?["mode"] as? String == "campaign", "\(out)")
        #expect(far["invites"] as? Int == 40 && report["finished"] as? Int == 40 && report["unfinished"] as? Int == 0, "\(far) \(out)")
        #expect(report["final_codes"] as? [String: Int] == far["final_responses"] as? [String: Int], "\(report) \(far)")
        // The pacer's 600 calls a minute: 40 calls in about 4 s.
        let offeredCps = report["offered_cps"] as? Double ?? 0
        #expect(offeredCps > 8 && offeredCps <= 10.01, "\(report)")
        let rtp = report["rtp"] as? [String: Any] ?? [:]
        #expect(rtp["calls"] as? Int == far["answered"] as? Int && (rtp["packets_sent"] as? Int ?? 0) > 0, "the flow's prompt was played: \(rtp)")
        // The CDRs stay in the data directory.
        let store = try DialerStore(directory: data)
        #expect(try store.cdrs().count == 40)
    }

    @Test func serveAnswersInboundCallsWithItsFlow() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("serve")
        let token = try await ServeProcess.token(data: data)
        let sipPort = Ports.free()
        let serve = try await ServeProcess.start(data: data, token: token, sipPort: sipPort, [
            "--no-simulator", "--rtp-ports", "43000-43999",
            "--inbound-flow", #"[{"verb": "say", "text": "Thank you for calling."}, {"verb": "pause", "seconds": 1}, {"verb": "hangup"}]"#,
        ])
        defer { serve.process.stop() }
        let reportFile = dir.appendingPathComponent("inbound.json")
        let load = try ExternalProcess(SipdialBinary.path, ["loadtest", "--local-address", "127.0.0.1", "--report", reportFile.path, "--target", "127.0.0.1:\(sipPort)",
                                                            "--cps", "10", "--calls", "20", "--hold", "10", "--play", CallMediaTests.prompt, "--rtp-ports", "44000-44999"])
        // While the calls are up they are live calls of kind inbound, which take no transfer.
        var live: [[String: Any]] = []
        try await poll(timeout: .seconds(10), every: .milliseconds(100)) {
            live = try await serve.send("GET", "calls").1["calls"] as? [[String: Any]] ?? []
            return !live.isEmpty
        }
        #expect(live.first?["kind"] as? String == "inbound", "\(live)")
        let liveID = live.first?["id"] as? String ?? ""
        let (refused, refusal) = try await serve.send("POST", "calls/\(liveID)/transfer", ["to": "+15550100001"])
        #expect(refused == 409 && (refusal["error"] as? [String: Any])?["code"] as? String == "not_supported", "\(refusal)")
        let status = await load.wait(timeout: .seconds(60))
        let out = load.text
        let report = (try? JSONSerialization.jsonObject(with: Data(contentsOf: reportFile))) as? [String: Any] ?? [:]
        #expect(status == 0 && (report["results"] as? [String: Int])?["answered"] == 20, "\(out) \(serve.process.text)")
        // The flow hangs up (about 1.5 s of speech and 1 s of pause): the far end's BYE, not the 10 s hold.
        #expect((report["duration"] as? [String: Any])?["remote_hangups"] as? Int == 20, "\(report)")
        let rtp = report["rtp"] as? [String: Any] ?? [:]
        #expect((rtp["packets_received"] as? Int ?? 0) > 20 * 50 && rtp["packets_lost"] as? Int == 0, "the flow's speech came back: \(rtp)")
        var cdrs: [[String: Any]] = []
        try await poll(timeout: .seconds(10), every: .milliseconds(200)) {
            cdrs = try await serve.send("GET", "cdrs?limit=100").1["cdrs"] as? [[String: Any]] ?? []
            return cdrs.count == 20 && cdrs.allSatisfy { $0["disposition"] as? String == "answered" }
        }
        #expect(cdrs.count == 20 && cdrs.allSatisfy { ($0["talk_seconds"] as? Double ?? 0) > 1.5 && $0["phone"] as? String == "sipdial" }, "\(cdrs.prefix(2))")

        // Callers that hang up first (after 0.5 s, inside the flow): their BYE ends the flow.
        let (early, earlyReport, earlyOut) = try await Self.loadtest(["--target", "127.0.0.1:\(sipPort)", "--cps", "10", "--calls", "10", "--hold", "0.5"], in: dir)
        let duration = earlyReport["duration"] as? [String: Any] ?? [:]
        #expect(early == 0 && duration["calls"] as? Int == 10 && duration["remote_hangups"] as? Int == 0, "\(earlyOut)")
        try await poll(timeout: .seconds(10), every: .milliseconds(200)) {
            cdrs = try await serve.send("GET", "cdrs?limit=100").1["cdrs"] as? [[String: Any]] ?? []
            return cdrs.count == 30 && cdrs.allSatisfy { $0["disposition"] as? String == "answered" }
        }
        #expect(cdrs.filter { ($0["talk_seconds"] as? Double ?? 9) < 1.5 }.count == 10, "\(cdrs.map { $0["talk_seconds"] ?? "" })")
    }

    @Test func usageErrorsExitTwo() async throws {
        let (both, out) = try await SipdialBinary.run(["loadtest", "--target", "127.0.0.1:5060", "--cps", "5", "--calls", "5", "--duration", "3"])
        #expect(both == 2 && out.contains("--calls and --duration"), "\(out)")
        let (badTarget, out2) = try await SipdialBinary.run(["loadtest", "--target", "no:such:thing", "--cps", "5", "--calls", "5"])
        #expect(badTarget == 2 && out2.contains("--target"), "\(out2)")
        let (noThreads, out3) = try await SipdialBinary.run(["loadtest", "--target", "127.0.0.1:5060", "--cps", "5", "--calls", "5", "--signaling-threads", "0"])
        #expect(noThreads == 2 && out3.contains("--signaling-threads"), "\(out3)")
    }
}
