/// Builds the UDPTL datagrams of one direction (T.38 §9.1): numbers the IFP packets and adds
/// the error-recovery data of the chosen scheme, never making a datagram larger than the far
/// end's `T38FaxMaxDatagram` for the sake of recovery data (redundant copies are dropped,
/// oldest first, until it fits; FEC entries are dropped the same way). A primary IFP alone
/// larger than that is sent whole: the fax engine is told the far end's limit and keeps its
/// IFPs below it.
public struct UDPTLSender: Sendable {
    public enum Scheme: Sendable, Equatable {
        case none
        /// Each datagram repeats the `depth` IFPs before it.
        case redundancy(depth: Int)
        /// Each datagram carries `entries` parity sums over `span` packets each.
        case fec(span: Int, entries: Int)
    }

    public let scheme: Scheme
    public let maximumDatagram: Int
    private var next: UInt16 = 0
    /// The IFPs sent so far that recovery data may still cover, oldest first.
    private var history: [[UInt8]] = []
    private let kept: Int

    public init(scheme: Scheme, maximumDatagram: Int) {
        self.scheme = scheme
        self.maximumDatagram = maximumDatagram
        switch scheme {
        case .none: kept = 0
        case .redundancy(let depth): kept = min(max(depth, 0), UDPTLPacket.maximumRedundancy)
        case .fec(let span, let entries): kept = max(span, 0) * max(entries, 0)
        }
    }

    /// The datagram carrying `ifp` as the next packet.
    public mutating func datagram(for ifp: [UInt8]) -> [UInt8] {
        var packet = UDPTLPacket(sequence: next, primary: ifp)
        let fixed = 2 + UDPTLPacket.encodedSize(ifp) + 1 + 1
        switch scheme {
        case .none:
            break
        case .redundancy:
            var room = maximumDatagram - fixed
            var secondaries: [[UInt8]] = []
            for previous in history.reversed() {
                room -= UDPTLPacket.encodedSize(previous)
                if room < 0 { break }
                secondaries.append(previous)
            }
            packet.recovery = .redundancy(secondaries)
        case .fec(let span, let wanted):
            packet.recovery = fec(span: span, wanted: wanted, room: maximumDatagram - fixed - 2)
        }
        next &+= 1
        if kept > 0 {
            history.append(ifp)
            if history.count > kept { history.removeFirst(history.count - kept) }
        }
        return packet.bytes
    }

    /// The parity entries over the packets before this one: while fewer than `span × entries`
    /// have been sent, as many entries as whole spans allow.
    private func fec(span: Int, wanted: Int, room: Int) -> UDPTLPacket.Recovery {
        guard span > 0 else { return .fec(span: 0, entries: []) }
        var count = min(wanted, history.count / span)
        var entries: [[UInt8]] = []
        while count > 0 {
            entries = (0..<count).map { m in
                var sum: [UInt8] = []
                // Packets sequence − span × count + m + k × count, k in 0..<span.
                for k in 0..<span {
                    let packet = history[history.count - span * count + m + k * count]
                    if sum.count < packet.count { sum += [UInt8](repeating: 0, count: packet.count - sum.count) }
                    for (i, octet) in packet.enumerated() { sum[i] ^= octet }
                }
                return sum
            }
            if entries.reduce(0, { $0 + UDPTLPacket.encodedSize($1) }) <= room { break }
            count -= 1
            entries = []
        }
        return .fec(span: count > 0 ? span : 0, entries: entries)
    }
}
