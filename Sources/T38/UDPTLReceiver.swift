/// Reads the UDPTL datagrams of one direction (T.38 §9.1) into the IFP packets the fax
/// engine takes, in sequence order, each once: duplicates and packets older than the ones
/// already passed on are dropped; packets lost before a later one arrives are recovered from
/// its redundant copies, or from parity FEC when exactly one packet of a sum is missing.
/// What cannot be recovered is skipped (the T.38 engine copes with gaps). A datagram that
/// does not parse is counted and dropped. A jump far back in the numbering (the far end
/// restarted it) starts the count afresh.
public struct UDPTLReceiver: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var datagrams = 0
        public var malformed = 0
        /// Duplicates and packets older than those already passed on.
        public var late = 0
        public var recovered = 0
        /// Sequence numbers never seen nor recovered.
        public var lost = 0
    }

    public private(set) var statistics = Statistics()
    /// The next sequence number to pass on; nil before the first datagram.
    private var expected: UInt16?
    /// The last `window` packets by sequence number modulo `window`, for FEC.
    private var slots = [Slot](repeating: Slot(), count: Self.window)
    private static let window = 32

    private struct Slot: Sendable {
        var sequence: UInt16?
        var ifp: [UInt8]?
        var fec: (span: Int, entries: [[UInt8]])?
    }

    public init() {}

    /// The IFPs `datagram` makes available, oldest first, with their sequence numbers.
    public mutating func receive(_ datagram: some Collection<UInt8>) -> [(sequence: UInt16, ifp: [UInt8])] {
        statistics.datagrams += 1
        let packet: UDPTLPacket
        do { packet = try UDPTLPacket(parsing: datagram) } catch {
            statistics.malformed += 1
            return []
        }
        var start = expected ?? packet.sequence
        var ahead = Int(Int16(bitPattern: packet.sequence &- start))
        if ahead < -64 {
            // A restart of the numbering, not a late packet.
            slots = [Slot](repeating: Slot(), count: Self.window)
            (start, ahead) = (packet.sequence, 0)
        }
        guard ahead >= 0 else {
            statistics.late += 1
            return []
        }
        var available: [UInt16: [UInt8]] = [:]
        switch packet.recovery {
        case .redundancy(let secondaries):
            for (index, ifp) in secondaries.enumerated() where index < ahead {
                available[packet.sequence &- UInt16(index + 1)] = ifp
            }
        case .fec:
            remember(packet)
            for step in 0..<min(ahead, Self.window) {
                let sequence = start &+ UInt16(step)
                guard let ifp = repair(sequence) else { continue }
                available[sequence] = ifp
                slots[Int(sequence) % Self.window] = Slot(sequence: sequence, ifp: ifp, fec: nil)
            }
        }
        var out: [(sequence: UInt16, ifp: [UInt8])] = []
        for step in 0..<ahead {
            let sequence = start &+ UInt16(step)
            if let ifp = available[sequence] {
                out.append((sequence, ifp))
                statistics.recovered += 1
            } else {
                statistics.lost += 1
            }
        }
        out.append((packet.sequence, packet.primary))
        expected = packet.sequence &+ 1
        return out
    }

    private mutating func remember(_ packet: UDPTLPacket) {
        guard case .fec(let span, let entries) = packet.recovery else { return }
        slots[Int(packet.sequence) % Self.window] = Slot(sequence: packet.sequence, ifp: packet.primary,
                                                          fec: span > 0 && span * entries.count < Self.window ? (span, entries) : nil)
    }

    private func ifp(_ sequence: UInt16) -> [UInt8]? {
        let slot = slots[Int(sequence) % Self.window]
        return slot.sequence == sequence ? slot.ifp : nil
    }

    /// `sequence` rebuilt from a parity sum of a packet received after it that covers it and
    /// no other missing packet.
    private func repair(_ sequence: UInt16) -> [UInt8]? {
        for slot in slots {
            guard let holder = slot.sequence, let (span, entries) = slot.fec else { continue }
            let n = entries.count
            let back = Int(Int16(bitPattern: holder &- sequence))
            guard back > 0, back <= span * n else { continue }
            // The entry covering `sequence`: holder − span × n + m + k × n == sequence.
            let m = (span * n - back) % n
            var sum = entries[m]
            var complete = true
            for k in 0..<span {
                let covered = holder &- UInt16(span * n) &+ UInt16(m + k * n)
                if covered == sequence { continue }
                guard let other = ifp(covered) else { complete = false; break }
                for (i, octet) in other.enumerated() where i < sum.count { sum[i] ^= octet }
            }
            if complete { return sum }
        }
        return nil
    }
}
