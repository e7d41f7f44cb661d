/// An adaptive playout buffer for one RTP stream (RFC 3550 §6.4.1 jitter drives the depth).
///
/// Packets go in as they arrive, in any order, each with the time it lasts; the media clock
/// plays one frame's time per tick in timestamp order. A packet need not last one frame: a
/// trunk's 30 ms G.711 or a 60 ms Opus packet is played when its time comes and covers the
/// ticks after it (`.covered`), and several 10 ms packets due in one tick are all played
/// (`nextDue()`). The buffer holds back `targetDepth` frames' time before playing (more when
/// the measured jitter grows, up to `maxDepth`), answers `.missing` for time that no packet
/// covers (the caller conceals it), drops packets that arrive after their turn, and starts
/// over after a long underrun so a new talkspurt is not played late.
///
/// It holds a handful of packets (at most `capacity`), so they sit in a small array that is
/// scanned, which costs less than hashing; and the methods are inlinable, so the media engine
/// gets a copy specialized for its payload type instead of generic calls every packet.
@frozen
public struct JitterBuffer<Payload: Sendable>: Sendable {
    public enum Output: Sendable {
        case frame(Payload, timestamp: UInt32)
        /// No packet covers `units` of this tick's time from `timestamp` on (lost or late):
        /// conceal it.
        case missing(timestamp: UInt32, units: UInt32)
        /// This tick's time lies within a longer packet played before: nothing to play.
        case covered
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
    /// The packets held, in arrival order, with the units each lasts.
    @usableFromInline var packets: [(timestamp: UInt32, duration: UInt32, payload: Payload)] = []
    /// The start of the next tick's time, once playing: the end of the time played so far.
    @usableFromInline var playout: UInt32?
    /// Where the audio played (or concealed) so far ends, which may be past `playout` when
    /// a packet lasts longer than a frame.
    @usableFromInline var coveredUntil: UInt32?
    @usableFromInline var underruns = 0

    public init(frameUnits: UInt32 = 160, minDepth: Int = 2, maxDepth: Int = 10) {
        self.frameUnits = frameUnits
        self.minDepth = minDepth
        self.maxDepth = maxDepth
        self.depth = minDepth
        packets.reserveCapacity(maxDepth * 2)
    }

    /// Frames' time held back before playing starts (`adapt(toJitter:)` sets it).
    @inlinable public var targetDepth: Int { depth }
    /// Packets that arrived after their turn and were dropped.
    @inlinable public var lateDropped: Int { late }
    /// Ticks reported `.missing`.
    @inlinable public var concealed: Int { missing }

    @inlinable public var bufferedFrames: Int { packets.count }

    /// Most packets held at once: a flood cannot grow the buffer without bound.
    @inlinable public var capacity: Int { maxDepth * 2 }

    /// Adds a received packet lasting `duration` units (one frame when nil or 0). A packet
    /// whose turn has passed is dropped and counted. Returns the payload the buffer does not
    /// keep (this one when refused, or the duplicate it replaced), so a caller that owns
    /// payload storage can reuse it.
    @inlinable @discardableResult
    public mutating func insert(_ payload: Payload, timestamp: UInt32, duration: UInt32? = nil) -> Payload? {
        if let playout, Int32(bitPattern: timestamp &- playout) < 0 {
            late += 1
            return payload
        }
        if let held = packets.firstIndex(where: { $0.timestamp == timestamp }) {
            defer { packets[held].payload = payload }
            return packets[held].payload
        }
        guard packets.count < capacity else { return payload }
        packets.append((timestamp, duration.flatMap { $0 == 0 ? nil : $0 } ?? frameUnits, payload))
        return nil
    }

    /// Sets the depth from the interarrival jitter (timestamp units): enough frames to
    /// cover about three times the jitter, within `minDepth...maxDepth`.
    @inlinable
    public mutating func adapt(toJitter jitter: UInt32) {
        let frames = Int((3 * UInt64(jitter) + UInt64(frameUnits) - 1) / UInt64(frameUnits)) + 1
        depth = min(max(frames, minDepth), maxDepth)
    }

    /// What to play for this tick: the first packet that starts within its time, else
    /// nothing when a longer packet covers it, else the time to conceal. After a `.frame`,
    /// `nextDue()` gives any other packet that starts within the same tick.
    @inlinable
    public mutating func next() -> Output {
        guard let current = playout else {
            guard heldUnits >= UInt64(depth) * UInt64(frameUnits), let first = earliest() else { return .idle }
            playout = first
            coveredUntil = nil
            return next()
        }
        let end = current &+ frameUnits
        playout = end
        if let played = takeDue(before: end) {
            underruns = 0
            // Far more than the target queued (the sender sped up, or a burst): skip ahead.
            if heldUnits > UInt64(depth + 3) * UInt64(frameUnits), let first = earliest(), Int32(bitPattern: first &- end) > 0 {
                playout = first
                coveredUntil = first
            }
            return .frame(played.payload, timestamp: played.timestamp)
        }
        if let covered = coveredUntil, Int32(bitPattern: covered &- end) >= 0 { return .covered }
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
        let from = coveredUntil.flatMap { Int32(bitPattern: $0 &- current) > 0 ? $0 : nil } ?? current
        coveredUntil = end
        return .missing(timestamp: from, units: end &- from)
    }

    /// Another packet that starts within the tick `next()` just played (packets shorter
    /// than a frame), or nil.
    @inlinable
    public mutating func nextDue() -> (payload: Payload, timestamp: UInt32)? {
        guard let end = playout else { return nil }
        return takeDue(before: end)
    }

    /// Removes and returns the earliest packet starting before `end`, and extends the time
    /// covered to its end.
    @inlinable
    mutating func takeDue(before end: UInt32) -> (payload: Payload, timestamp: UInt32)? {
        var best: Int?
        for i in packets.indices where Int32(bitPattern: packets[i].timestamp &- end) < 0 {
            if let b = best, Int32(bitPattern: packets[i].timestamp &- packets[b].timestamp) >= 0 { continue }
            best = i
        }
        guard let best else { return nil }
        let packet = packets.remove(at: best)
        let packetEnd = packet.timestamp &+ packet.duration
        if coveredUntil.map({ Int32(bitPattern: $0 &- packetEnd) < 0 }) ?? true { coveredUntil = packetEnd }
        return (packet.payload, packet.timestamp)
    }

    /// The packet held for `timestamp`, left in place (a lost packet's successor, whose FEC
    /// copy can rebuild it).
    @inlinable
    public func peek(at timestamp: UInt32) -> Payload? {
        packets.first { $0.timestamp == timestamp }?.payload
    }

    /// The time the packets held last, in units.
    @inlinable
    var heldUnits: UInt64 {
        packets.reduce(0) { $0 + UInt64($1.duration) }
    }

    @inlinable
    func earliest() -> UInt32? {
        guard let any = packets.first?.timestamp else { return nil }
        return packets.reduce(any) { Int32(bitPattern: $1.timestamp &- $0) < 0 ? $1.timestamp : $0 }
    }
}
