import Foundation

/// The once-a-second view of a running load test: the rates over the last whole second, the
/// calls up, the totals so far, INVITE-to-2xx latency so far, and the RTP loss of the calls
/// that have ended.
public struct LoadProgress: Sendable {
    public var elapsed: Double
    public var offeredPerSecond: Int
    public var answeredPerSecond: Int
    public var active: Int
    public var answered: Int
    public var failed: Int
    public var blocked: Int
    public var setupP50: Double?
    public var setupP99: Double?
    public var rtpLoss: Double

    /// The view at the end of second `last` (counted from 0), `elapsed` seconds into the test.
    init(elapsed: Double, last: Int, statistics s: LoadStatistics, active: Int) {
        self.elapsed = elapsed
        let second = last >= 0 && last < s.timeline.count ? s.timeline[last] : LoadStatistics.Second()
        offeredPerSecond = second.offered
        answeredPerSecond = second.answered
        self.active = active
        answered = s.answeredSoFar
        blocked = s.results[.blocked] ?? 0
        failed = s.failed
        let latency = s.answerLatency
        setupP50 = latency.totalCount > 0 ? Double(latency.valueAtPercentile(50)) / 1000 : nil
        setupP99 = latency.totalCount > 0 ? Double(latency.valueAtPercentile(99)) / 1000 : nil
        rtpLoss = s.rtp.lossRatio
    }

    /// One line: `[  12s] offered 50/s achieved 49/s active 98 answered 560 failed 3 ...`.
    public var line: String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }
        return String(format: "[%4ds] offered %d/s achieved %d/s active %d answered %d failed %d", Int(elapsed.rounded()),
                      offeredPerSecond, answeredPerSecond, active, answered, failed)
            + (blocked > 0 ? " (blocked \(blocked))" : "")
            + " setup p50 \(ms(setupP50)) ms p99 \(ms(setupP99)) ms"
            + String(format: " rtp loss %.2f%%", rtpLoss * 100)
    }
}
