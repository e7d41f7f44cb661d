/// What a receiver knows about one source (RFC 3550 §6.4.1, Appendix A.1, A.3, A.8):
/// extended highest sequence number with wrap-around, packets and octets received, loss,
/// and interarrival jitter. Pure bookkeeping: the caller gives the arrival time.
public struct RTPReceptionStatistics: Sendable, Equatable {
    /// Sequential packets required before a new source counts as valid (A.1 MIN_SEQUENTIAL).
    static let minSequential = 2
    /// A jump of more than this many packets ahead is a restart, not loss (A.1 MAX_DROPOUT).
    static let maxDropout: UInt16 = 3000
    /// Packets this far behind are late duplicates or a restart (A.1 MAX_MISORDER).
    static let maxMisorder: UInt16 = 100

    public private(set) var ssrc: UInt32
    /// The payload clock rate, for jitter in timestamp units (A.8).
    public let clockRate: Int
    public private(set) var maxSequence: UInt16
    /// Shifted count of sequence number wraps (A.1 `cycles`).
    public private(set) var cycles: UInt32 = 0
    public private(set) var baseSequence: UInt32
    private var badSequence: UInt32 = UInt32(UInt16.max) + 2
    private var probation: Int
    public private(set) var packetsReceived: UInt64 = 0
    public private(set) var octetsReceived: UInt64 = 0
    /// Packets not accepted: those of the probation run, and a jump awaiting confirmation.
    public private(set) var packetsDiscarded: UInt64 = 0
    private var expectedPrior: UInt64 = 0
    private var receivedPrior: UInt64 = 0
    /// Interarrival jitter estimate in timestamp units, scaled by 16 (A.8).
    private var jitterScaled: Int64 = 0
    private var lastTransit: Int64?

    /// Starts tracking a source at its first packet; it becomes valid after `minSequential`
    /// packets in sequence (A.1 probation).
    public init(ssrc: UInt32, firstSequence: UInt16, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        self.maxSequence = firstSequence &- 1
        self.baseSequence = UInt32(firstSequence)
        self.probation = Self.minSequential
    }

    public var isValid: Bool { probation == 0 }

    /// The highest sequence number with the wrap count (§6.4.1 "extended highest"), a 32-bit
    /// counter that wraps like the field it fills (a peer can make it wrap in minutes).
    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maxSequence) }

    /// Packets expected since the first valid one (A.3), modulo 2^32 as the extended
    /// sequence numbers it comes from; none while the source is on probation (A.1), when the
    /// highest sequence number seen may be below the first.
    public var packetsExpected: UInt64 { isValid ? UInt64(extendedHighestSequence &- baseSequence) + 1 : 0 }

    /// Cumulative packets lost (A.3); negative when duplicates outnumber losses.
    public var cumulativeLost: Int64 { Int64(clamping: packetsExpected) - Int64(clamping: packetsReceived) }

    /// Interarrival jitter in timestamp units (§6.4.1).
    public var jitter: UInt32 { UInt32(clamping: jitterScaled >> 4) }

    /// Jitter in milliseconds.
    public var jitterMilliseconds: Double { Double(jitter) * 1000 / Double(clockRate) }

    /// Records a packet. `arrival` is the receive time in seconds on any steady clock.
    /// Returns false for a packet that should not be played (probation, far out of order).
    @discardableResult
    public mutating func record(sequence seq: UInt16, timestamp: UInt32, payloadOctets: Int, arrival: Double) -> Bool {
        guard updateSequence(seq) else {
            packetsDiscarded += 1
            return false
        }
        packetsReceived += 1
        octetsReceived += UInt64(payloadOctets)
        // A.8: transit = arrival (in timestamp units) - RTP timestamp; D = difference of transits.
        let arrivalUnits = Int64((arrival * Double(clockRate)).rounded())
        let transit = arrivalUnits &- Int64(timestamp)
        if let last = lastTransit {
            let d = abs(transit &- last)
            jitterScaled += d - ((jitterScaled + 8) >> 4)
        }
        lastTransit = transit
        return true
    }

    /// A.1 update_seq.
    private mutating func updateSequence(_ seq: UInt16) -> Bool {
        let delta = seq &- maxSequence
        if probation > 0 {
            if seq == maxSequence &+ 1 {
                probation -= 1
                maxSequence = seq
                if probation == 0 {
                    restart(at: seq)
                    return true
                }
            } else {
                probation = Self.minSequential - 1
                maxSequence = seq
            }
            return false
        } else if delta < Self.maxDropout {
            if seq < maxSequence { cycles &+= 1 << 16 }
            maxSequence = seq
        } else if delta <= UInt16.max - Self.maxMisorder {
            // A very large jump: a restart if the next packet follows this one.
            if UInt32(seq) == badSequence {
                restart(at: seq)
            } else {
                badSequence = UInt32(seq &+ 1)
                return false
            }
        } else {
            // Duplicate or reordered packet: counted, not played out of order by the caller.
        }
        return true
    }

    private mutating func restart(at seq: UInt16) {
        baseSequence = UInt32(seq)
        maxSequence = seq
        badSequence = UInt32(UInt16.max) + 2
        cycles = 0
        packetsReceived = 0
        octetsReceived = 0
        expectedPrior = 0
        receivedPrior = 0
    }

    /// The report block for an RTCP SR or RR (§6.4.1), and the interval counters moved on.
    public mutating func makeReportBlock(lastSR: UInt32 = 0, delaySinceLastSR: UInt32 = 0) -> RTCPReportBlock {
        let expected = packetsExpected
        let expectedInterval = expected &- expectedPrior
        let receivedInterval = packetsReceived &- receivedPrior
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = Int64(clamping: expectedInterval) - Int64(clamping: receivedInterval)
        let fraction: UInt8 = expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        return RTCPReportBlock(ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(clamping: cumulativeLost),
                               extendedHighestSequence: extendedHighestSequence, jitter: jitter,
                               lastSR: lastSR, delaySinceLastSR: delaySinceLastSR)
    }
}
