import Foundation
import Histogram

/// The final report of a load test, written as JSON (`--report`) and rendered as HTML
/// (`--html`). Latencies are in milliseconds, rates in calls per second.
public struct LoadReport: Codable, Sendable {
    public struct Plan: Codable, Sendable {
        public var target: String
        public var transport: String
        public var mode: String
        public var cps: Double
        public var calls: Int
        public var maxConcurrent: Int?
        public var holdSeconds: Double
        public var media: Bool

        public init(target: String, transport: String, mode: String, cps: Double, calls: Int, maxConcurrent: Int?, holdSeconds: Double, media: Bool) {
            self.target = target
            self.transport = transport
            self.mode = mode
            self.cps = cps
            self.calls = calls
            self.maxConcurrent = maxConcurrent
            self.holdSeconds = holdSeconds
            self.media = media
        }
    }

    public struct Latency: Codable, Sendable, Equatable {
        public var count: UInt64
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        public var mean: Double
    }

    public struct Duration: Codable, Sendable {
        /// Answered calls this side hung up after the hold, and those the far end ended first.
        public var calls: Int
        public var remoteHangups: Int
        public var meanErrorMs: Double
        public var absoluteErrorMs: Latency
    }

    public struct RTP: Codable, Sendable {
        public var calls: Int
        public var packetsSent: UInt64
        public var packetsReceived: UInt64
        public var packetsLost: Int64
        public var lossRatio: Double
        public var jitterMeanMs: Double
        public var jitterMaxMs: Double
    }

    public struct Generator: Codable, Sendable {
        public var cpuSeconds: Double
        /// CPU time as a share of one core over the run (100 = one core busy).
        public var cpuPercent: Double
        public var maxResidentMB: Double
        public var cores: Int
    }

    public struct Second: Codable, Sendable, Equatable {
        public var second: Int
        public var offered: Int
        public var placed: Int
        public var answered: Int
        public var failed: Int
        public var active: Int
        public var answerP50Ms: Double?
        public var answerP99Ms: Double?
    }

    public var plan: Plan
    public var startedAt: String
    public var elapsedSeconds: Double
    /// Seconds during which calls were offered (the plan's length, or until the test was stopped).
    public var offerSeconds: Double
    public var offered: Int
    public var placed: Int
    public var finished: Int
    public var unfinished: Int
    public var stoppedEarly: Bool
    public var offeredCps: Double
    public var achievedCps: Double
    public var successRatio: Double
    public var results: [String: Int]
    public var finalCodes: [String: Int]
    public var firstResponseMs: Latency
    public var answerMs: Latency
    public var duration: Duration
    public var rtp: RTP
    /// The answering-machine detector's verdicts (human, machine, notsure, silence, fax), when it ran.
    public var amd: [String: Int]?
    public var generator: Generator
    public var timeline: [Second]

    public init(plan: Plan, startedAt: Date, outcome: LoadOutcome, offerSeconds: Double, usage: (before: ProcessUsage, after: ProcessUsage)) {
        let s = outcome.statistics
        self.plan = plan
        self.startedAt = ISO8601DateFormatter().string(from: startedAt)
        elapsedSeconds = Self.round(outcome.elapsed)
        self.offerSeconds = Self.round(offerSeconds)
        offered = s.offered
        placed = s.placed
        finished = s.finished
        unfinished = outcome.unfinished
        stoppedEarly = outcome.stoppedEarly
        let answered = s.results[.answered] ?? 0
        offeredCps = offerSeconds > 0 ? Self.round(Double(s.offered) / offerSeconds) : 0
        achievedCps = offerSeconds > 0 ? Self.round(Double(answered) / offerSeconds) : 0
        successRatio = s.offered > 0 ? Self.round(Double(answered) / Double(s.offered), digits: 4) : 0
        results = Dictionary(uniqueKeysWithValues: CallSample.Result.allCases.map { ($0.rawValue, s.results[$0] ?? 0) })
        finalCodes = Dictionary(uniqueKeysWithValues: s.finalCodes.map { (String($0.key), $0.value) })
        firstResponseMs = Latency(s.firstResponseLatency)
        answerMs = Latency(s.answerLatency)
        let hungUp = Int(s.durationError.totalCount)
        duration = Duration(calls: hungUp, remoteHangups: s.remoteHangups,
                            meanErrorMs: hungUp > 0 ? Self.round(s.durationErrorSum / Double(hungUp) * 1000) : 0,
                            absoluteErrorMs: Latency(s.durationError))
        rtp = RTP(calls: s.rtp.calls, packetsSent: s.rtp.packetsSent, packetsReceived: s.rtp.packetsReceived, packetsLost: s.rtp.packetsLost,
                  lossRatio: Self.round(s.rtp.lossRatio, digits: 5),
                  jitterMeanMs: s.rtp.calls > 0 ? Self.round(s.rtp.jitterSum / Double(s.rtp.calls)) : 0, jitterMaxMs: Self.round(s.rtp.jitterMax))
        amd = s.amdVerdicts.isEmpty ? nil : s.amdVerdicts
        let cpu = usage.after.cpuSeconds - usage.before.cpuSeconds
        generator = Generator(cpuSeconds: Self.round(cpu), cpuPercent: outcome.elapsed > 0 ? Self.round(cpu / outcome.elapsed * 100, digits: 1) : 0,
                              maxResidentMB: Self.round(Double(usage.after.maxResidentBytes) / 1_048_576, digits: 1),
                              cores: ProcessInfo.processInfo.activeProcessorCount)
        timeline = s.timeline.enumerated().map { index, second in
            let sorted = second.answerLatencies.sorted()
            func percentile(_ p: Double) -> Double? {
                sorted.isEmpty ? nil : Self.round(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
            }
            return Second(second: index, offered: second.offered, placed: second.placed, answered: second.answered, failed: second.failed,
                          active: second.active, answerP50Ms: percentile(0.5), answerP99Ms: percentile(0.99))
        }
    }

    static func round(_ value: Double, digits: Int = 3) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// The report as pretty-printed JSON with snake_case keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// A short text summary for the terminal.
    public var summary: String {
        let codes = finalCodes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        var lines = [
            String(format: "offered %d calls in %.1f s (%.1f cps), achieved %.1f cps, success %.1f%%", offered, offerSeconds, offeredCps, achievedCps, successRatio * 100),
            "results: " + CallSample.Result.allCases.map { "\($0.rawValue) \(results[$0.rawValue] ?? 0)" }.joined(separator: ", ")
                + (unfinished > 0 ? ", unfinished \(unfinished)" : ""),
            "final codes: " + (codes.isEmpty ? "none" : codes),
            String(format: "INVITE→1xx ms p50 %.2f p90 %.2f p99 %.2f max %.2f", firstResponseMs.p50, firstResponseMs.p90, firstResponseMs.p99, firstResponseMs.max),
            String(format: "INVITE→200 ms p50 %.2f p90 %.2f p99 %.2f max %.2f", answerMs.p50, answerMs.p90, answerMs.p99, answerMs.max),
        ]
        if duration.calls > 0 {
            lines.append(String(format: "call duration vs hold %.1f s: mean error %.1f ms, |error| p99 %.1f ms max %.1f ms", plan.holdSeconds,
                                duration.meanErrorMs, duration.absoluteErrorMs.p99, duration.absoluteErrorMs.max))
        }
        if rtp.calls > 0 {
            lines.append(String(format: "rtp: %d calls, sent %llu, received %llu, lost %lld (%.3f%%), jitter mean %.2f ms max %.2f ms", rtp.calls,
                                rtp.packetsSent, rtp.packetsReceived, rtp.packetsLost, rtp.lossRatio * 100, rtp.jitterMeanMs, rtp.jitterMaxMs))
        }
        if let amd {
            lines.append("answering-machine detection: " + amd.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append(String(format: "generator: %.2f s CPU (%.1f%% of one core of %d), peak memory %.1f MB", generator.cpuSeconds, generator.cpuPercent,
                            generator.cores, generator.maxResidentMB))
        return lines.joined(separator: "\n")
    }
}

extension LoadReport.Latency {
    /// Milliseconds from a histogram of microseconds; zeros when it is empty.
    init(_ histogram: Histogram<UInt64>) {
        let empty = histogram.totalCount == 0
        func ms(_ microseconds: UInt64) -> Double { empty ? 0 : LoadReport.round(Double(microseconds) / 1000) }
        self.init(count: histogram.totalCount, p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
                  p99: ms(histogram.valueAtPercentile(99)), max: ms(histogram.max), mean: empty ? 0 : LoadReport.round(histogram.mean / 1000))
    }
}
