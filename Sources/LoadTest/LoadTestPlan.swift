/// What a load test offers: calls started open-loop at a steady rate (call `i` starts at
/// `i / callsPerSecond` seconds whatever the target does, so a slow target shows up as
/// latency and failures, not as a lower offered rate), for a number of calls or a duration.
public struct LoadTestPlan: Sendable, Equatable {
    public enum Length: Sendable, Equatable {
        case calls(Int)
        case duration(seconds: Double)
    }

    public var callsPerSecond: Double
    public var length: Length
    /// Calls up at once; a call whose start finds this many up is not placed and counted as
    /// blocked (the offered rate stays what it was).
    public var maxConcurrent: Int?
    /// Seconds an answered call is held before this side hangs up.
    public var holdSeconds: Double

    public init(callsPerSecond: Double, length: Length, maxConcurrent: Int? = nil, holdSeconds: Double = 0) {
        self.callsPerSecond = callsPerSecond
        self.length = length
        self.maxConcurrent = maxConcurrent
        self.holdSeconds = holdSeconds
    }

    /// How many calls the plan offers.
    public var totalCalls: Int {
        switch length {
        case .calls(let n): return n
        case .duration(let seconds): return Int((seconds * callsPerSecond).rounded(.down))
        }
    }

    /// When call `index` starts, in nanoseconds from the start of the test.
    public func startOffset(of index: Int) -> Int64 {
        Int64((Double(index) * 1e9 / callsPerSecond).rounded())
    }
}
