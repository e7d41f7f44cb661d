import Histogram

/// What a load test gathers while it runs: counts by result and by final SIP code, latency
/// histograms (HdrHistogram, microseconds), how far answered calls' durations were from the
/// hold time, RTP totals, and a per-second timeline for the report's charts.
public struct LoadStatistics: Sendable {
    /// The hold time answered calls aim at.
    public let holdSeconds: Double
    /// Calls due so far (placed or blocked), INVITEs sent, and calls finished.
    public private(set) var offered = 0
    public private(set) var placed = 0
    public private(set) var finished = 0
    /// Calls answered so far, counted at the answer (finished or not).
    public private(set) var answeredSoFar = 0
    public private(set) var results: [CallSample.Result: Int] = [:]
    /// Final responses to the INVITEs by status code.
    public private(set) var finalCodes: [Int: Int] = [:]
    /// INVITE to the first provisional response, and INVITE to the 2xx.
    public private(set) var firstResponseLatency = LoadStatistics.latencyHistogram()
    public private(set) var answerLatency = LoadStatistics.latencyHistogram()
    /// |talk time - hold| of the answered calls this side hung up, and their signed sum.
    public private(set) var durationError = LoadStatistics.latencyHistogram()
    public private(set) var durationErrorSum = 0.0
    public private(set) var remoteHangups = 0
    public private(set) var rtp = RTPTotals()
    public private(set) var timeline: [Second] = []

    /// One second of the test: what happened in it.
    public struct Second: Sendable, Equatable {
        public var offered = 0
        public var placed = 0
        public var answered = 0
        public var failed = 0
        /// INVITE-to-2xx latencies (seconds) of the calls sent in this second.
        public var answerLatencies: [Double] = []
        /// Calls up at the end of this second (set by the generator).
        public var active = 0
    }

    /// Sums of the calls with media.
    public struct RTPTotals: Sendable, Equatable {
        public var calls = 0
        public var packetsSent: UInt64 = 0
        public var packetsReceived: UInt64 = 0
        public var packetsLost: Int64 = 0
        public var jitterSum = 0.0
        public var jitterMax = 0.0

        /// Lost packets as a share of those expected (received + lost).
        public var lossRatio: Double {
            let expected = Double(packetsReceived) + Double(max(packetsLost, 0))
            return expected > 0 ? Double(max(packetsLost, 0)) / expected : 0
        }
    }

    public init(holdSeconds: Double) {
        self.holdSeconds = holdSeconds
    }

    /// Microseconds from 1 µs to one hour, three significant digits.
    static func latencyHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    private mutating func second(_ at: Double) -> Int {
        let index = max(0, Int(at.rounded(.down)))
        while timeline.count <= index { timeline.append(Second()) }
        return index
    }

    /// A call came due (placed or not).
    public mutating func due(at offset: Double) {
        offered += 1
        timeline[second(offset)].offered += 1
    }

    /// A call's INVITE went.
    public mutating func sent(at offset: Double) {
        placed += 1
        timeline[second(offset)].placed += 1
    }

    /// Calls up at the end of second `index` (counted from 0), for the timeline.
    public mutating func active(_ count: Int, second index: Int) {
        _ = second(Double(index))
        timeline[index].active = count
    }

    /// A call sent at `sent` was answered at `offset` (counted as it happens, for the
    /// progress line and the timeline).
    public mutating func answered(at offset: Double, sent: Double) {
        answeredSoFar += 1
        timeline[second(offset)].answered += 1
        _ = answerLatency.record(Self.microseconds(offset - sent))
        timeline[second(sent)].answerLatencies.append(offset - sent)
    }

    /// The answering-machine detector's verdicts, by verdict (campaign mode with detection).
    public var amdVerdicts: [String: Int] = [:]

    /// A call finished (or was blocked).
    public mutating func record(_ sample: CallSample) {
        finished += 1
        results[sample.result, default: 0] += 1
        if let code = sample.sipCode { finalCodes[code, default: 0] += 1 }
        if let first = sample.firstResponse { _ = firstResponseLatency.record(Self.microseconds(first)) }
        let end = second(sample.sentAt + sample.ended)
        if sample.answered == nil { timeline[end].failed += 1 }
        if let talk = sample.talkTime {
            if sample.hungUpBy == .remote {
                remoteHangups += 1
            } else {
                let error = talk - holdSeconds
                durationErrorSum += error
                _ = durationError.record(Self.microseconds(abs(error)))
            }
        }
        if let media = sample.rtp {
            rtp.calls += 1
            rtp.packetsSent += media.packetsSent
            rtp.packetsReceived += media.packetsReceived
            rtp.packetsLost += media.packetsLost
            rtp.jitterSum += media.jitterMilliseconds
            rtp.jitterMax = max(rtp.jitterMax, media.jitterMilliseconds)
        }
    }

    static func microseconds(_ seconds: Double) -> UInt64 {
        UInt64(min(max(seconds * 1e6, 1), 3_600_000_000))
    }

    /// Calls that ended without an answer (blocked ones included).
    public var failed: Int { finished - (results[.answered] ?? 0) }
}
