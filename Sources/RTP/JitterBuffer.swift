/// An adaptive playout buffer for one RTP stream (RFC 3550 §6.4.1 jitter drives the depth).
///
/// Packets go in as they arrive, in any order; the media clock takes one frame per tick in
/// timestamp order. The buffer holds back `targetDepth` frames before playing (more when
/// the measured jitter grows, up to `maxDepth`), answers `.missing` for a frame that never
/// came (the caller conceals it), drops packets that arrive after their turn, and starts
/// over after a long underrun so a new talkspurt is not played late.
///
/// It holds a handful of packets (at most `capacity`), so they sit in a small array that is
/// scanned, which costs less than hashing; and the methods are inlinable, so the media engine
/// gets a copy specialized for its payload type instead of generic calls every packet.
@frozen
public struct JitterBuffer<Payload: Sendable>: Sendable {
    public enum Output: Sendable {
        case frame(Payload, timestamp: UInt32)
        /// The frame at this timestamp is lost or late: conceal it.
        case missing(timestamp: UInt32)
        /// Nothing to play yet (buffering, or the stream has stopped).
        case idle
    }

    /// RTP timestamp units per frame (160 for 20 ms at 8 kHz).
    public let frameUnits: UInt32
    public let minDepth: Int
    public let maxDepth: Int
    @usableFromInline var depth: Int
    @usableFromInline var late = 0
    @usableFromInline var missing = 0
    /// The packets held, in arrival order.
    @usableFromInline var packets: [(timestamp: UInt32, payload: Payload)] = []
    /// The timestamp of the next frame to play, once playing.
    @usableFromInline var playout: UInt32?
    @usableFromInline var underruns = 0

    public init(frameUnits: UInt32 = 160, minDepth: Int = 2, maxDepth: Int = 10) {
        self.frameUnits = frameUnits
        self.minDepth = minDepth
        self.maxDepth = maxDepth
        self.depth = minDepth
        packets.reserveCapacity(maxDepth * 2)
    }

    /// Frames held back before playing starts (`adapt(toJitter:)` sets it).
    @inlinable public var targetDepth: Int { depth }
    /// Packets that arrived after their turn and were dropped.
    @inlinable public var lateDropped: Int { late }
    /// Frames reported `.missing`.
    @inlinable public var concealed: Int { missing }

    @inlinable public var bufferedFrames: Int { packets.count }

    /// Most packets held at once: a flood cannot grow the buffer without bound.
    @inlinable public var capacity: Int { maxDepth * 2 }

    /// Adds a received packet. A packet whose turn has passed is dropped and counted.
    /// Returns the payload the buffer does not keep (this one when refused, or the duplicate
    /// it replaced), so a caller that owns payload storage can reuse it.
    @inlinable @discardableResult
    public mutating func insert(_ payload: Payload, timestamp: UInt32) -> Payload? {
        if let playout, Int32(bitPattern: timestamp &- playout) < 0 {
            late += 1
            return payload
        }
        if let held = index(of: timestamp) {
            defer { packets[held].payload = payload }
            return packets[held].payload
        }
        guard packets.count < capacity else { return payload }
        packets.append((timestamp, payload))
        return nil
    }

    /// Sets the depth from the interarrival jitter (timestamp units): enough frames to
    /// cover about three times the jitter, within `minDepth...maxDepth`.
    @inlinable
    public mutating func adapt(toJitter jitter: UInt32) {
        let frames = Int((3 * UInt64(jitter) + UInt64(frameUnits) - 1) / UInt64(frameUnits)) + 1
        depth = min(max(frames, minDepth), maxDepth)
    }

    /// The frame for this tick.
    @inlinable
    public mutating func next() -> Output {
        guard let current = playout else {
            guard packets.count >= depth, let first = earliest() else { return .idle }
            playout = first
            return next()
        }
        playout = current &+ frameUnits
        if let held = index(of: current) {
            let payload = packets.remove(at: held).payload
            underruns = 0
            // Far more than the target queued (the sender sped up, or a burst): skip ahead.
            if packets.count > depth + 3, let first = earliest() { playout = first }
            return .frame(payload, timestamp: current)
        }
        if packets.isEmpty {
            underruns += 1
            // A long silence: forget the timeline and buffer the next talkspurt afresh.
            if underruns > 3 {
                playout = nil
                underruns = 0
                return .idle
            }
        }
        missing += 1
        return .missing(timestamp: current)
    }

    @inlinable
    func index(of timestamp: UInt32) -> Int? {
        packets.firstIndex { $0.timestamp == timestamp }
    }

    @inlinable
    func earliest() -> UInt32? {
        guard let any = packets.first?.timestamp else { return nil }
        return packets.reduce(any) { Int32(bitPattern: $1.timestamp &- $0) < 0 ? $1.timestamp : $0 }
    }
}
