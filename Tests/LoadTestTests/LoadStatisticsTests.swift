import Foundation
import Media
import SIPUserAgent
import Testing
@testable import LoadTest

struct LoadStatisticsTests {
    static let rtp: RTPStreamStatistics = {
        var stats = RTPStreamStatistics()
        (stats.packetsSent, stats.packetsReceived, stats.packetsLost, stats.jitterMilliseconds) = (100, 98, 2, 3)
        return stats
    }()

    func answered(sent: Double, latency: Double, talk: Double, by party: CallResult.Party = .local) -> CallSample {
        CallSample(result: .answered, sentAt: sent, firstResponse: latency / 2, answered: latency, ended: latency + talk,
                   sipCode: 200, hungUpBy: party, rtp: Self.rtp)
    }

    @Test func planOffersCallsOnAFixedGrid() {
        let plan = LoadTestPlan(callsPerSecond: 40, length: .duration(seconds: 2.5))
        #expect(plan.totalCalls == 100)
        #expect(plan.startOffset(of: 0) == 0 && plan.startOffset(of: 1) == 25_000_000 && plan.startOffset(of: 40) == 1_000_000_000)
        #expect(LoadTestPlan(callsPerSecond: 3, length: .calls(7)).totalCalls == 7)
    }

    @Test func countsResultsCodesLatencyAndDuration() {
        var s = LoadStatistics(holdSeconds: 2)
        for i in 0..<10 {
            let sent = Double(i) * 0.1
            s.due(at: sent)
            s.sent(at: sent)
            s.answered(at: sent + 0.010 + Double(i) * 0.001, sent: sent)
            s.record(answered(sent: sent, latency: 0.010 + Double(i) * 0.001, talk: 2.005))
        }
        s.due(at: 1.0)
        s.sent(at: 1.0)
        s.record(CallSample(result: .busy, sentAt: 1.0, firstResponse: 0.002, ended: 0.004, sipCode: 486))
        s.due(at: 1.1)
        s.record(.blocked(at: 1.1))
        s.record(answered(sent: 1.2, latency: 0.01, talk: 0.5, by: .remote))
        #expect(s.offered == 12 && s.placed == 11 && s.finished == 13)
        #expect(s.results[.answered] == 11 && s.results[.busy] == 1 && s.results[.blocked] == 1 && s.failed == 2)
        #expect(s.finalCodes == [200: 11, 486: 1])
        #expect(s.answerLatency.totalCount == 10 && s.answerLatency.valueAtPercentile(50) >= 14_000 && s.answerLatency.max <= 19_100)
        // The far end's early BYE is not a duration error of this side.
        #expect(s.remoteHangups == 1 && s.durationError.totalCount == 10)
        #expect(abs(s.durationErrorSum / 10 - 0.005) < 1e-9)
        #expect(s.rtp.calls == 11 && s.rtp.packetsLost == 22 && abs(s.rtp.lossRatio - 22.0 / 1100) < 1e-9)
        #expect(s.timeline[0].offered == 10 && s.timeline[0].answered == 10 && s.timeline[1].failed == 2)
    }

    @Test func reportSummarizesAndRendersHTML() throws {
        var s = LoadStatistics(holdSeconds: 1)
        for i in 0..<20 {
            let sent = Double(i) * 0.1
            s.due(at: sent)
            s.sent(at: sent)
            if i % 4 == 3 {
                s.record(CallSample(result: .rejected, sentAt: sent, firstResponse: 0.001, ended: 0.002, sipCode: 503))
            } else {
                s.answered(at: sent + 0.02, sent: sent)
                s.record(answered(sent: sent, latency: 0.02, talk: 1))
            }
        }
        let outcome = LoadOutcome(statistics: s, elapsed: 3.5, unfinished: 0, stoppedEarly: false)
        let plan = LoadReport.Plan(target: "127.0.0.1:5060", transport: "UDP", mode: "calls", cps: 10, calls: 20, maxConcurrent: nil, holdSeconds: 1, media: true)
        let report = LoadReport(plan: plan, startedAt: Date(), outcome: outcome, offerSeconds: 2,
                                usage: (ProcessUsage(cpuSeconds: 1, maxResidentBytes: 0), ProcessUsage(cpuSeconds: 1.7, maxResidentBytes: 50 << 20)))
        #expect(report.offeredCps == 10 && report.achievedCps == 7.5 && report.successRatio == 0.75)
        #expect(report.finalCodes == ["200": 15, "503": 5] && report.results["rejected"] == 5 && report.results["blocked"] == 0)
        #expect(report.answerMs.p50 == 20 && report.answerMs.count == 15)
        #expect(report.generator.cpuSeconds == 0.7 && report.generator.cpuPercent == 20 && report.generator.maxResidentMB == 50)
        #expect(report.timeline.count == 3 && report.timeline[0].answerP50Ms == 20)
        let json = try JSONSerialization.jsonObject(with: report.json()) as? [String: Any] ?? [:]
        #expect(json["achieved_cps"] as? Double == 7.5 && (json["answer_ms"] as? [String: Any])?["p99"] as? Double == 20)
        let page = HTMLReport.render(report)
        #expect(page.components(separatedBy: "<svg").count == 4 && page.contains("<td>503</td>") && page.contains("<polyline"))
        #expect(HTMLReport.escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
    }
}
