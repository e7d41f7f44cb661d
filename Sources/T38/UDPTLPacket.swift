/// One UDPTL datagram (ITU-T T.38 §9.1): a 16-bit sequence number, the primary IFP packet,
/// and error-recovery data — either copies of the packets before it, newest first
/// (redundancy), or parity FEC: `entries` XOR sums, each over every `entries`-th packet of
/// the `span × entries` packets before it.
///
/// The encoding is ASN.1 PER (aligned), as every implementation in the field writes it:
/// the sequence number as two octets; each IFP as an open type (a length determinant, then
/// its octets; an empty one as a single zero octet, T.38 §10.1); the recovery choice as one
/// octet (0x00 redundancy, 0x80 FEC); redundancy as a count then open types; FEC as the span
/// (an unconstrained integer: length octet 1, then the value), a count, then open types.
/// Fragmented length determinants (16,384 octets and more) are refused: no IFP is that long.
public struct UDPTLPacket: Sendable, Equatable {
    public enum Recovery: Sendable, Equatable {
        /// The packets before the primary, newest first (sequence − 1, − 2 …).
        case redundancy([[UInt8]])
        /// Parity FEC: `entries[m]` is the XOR of the packets `sequence − span × n + m + k × n`
        /// for k in 0..<span, where n is `entries.count`.
        case fec(span: Int, entries: [[UInt8]])
    }

    public var sequence: UInt16
    public var primary: [UInt8]
    public var recovery: Recovery

    public init(sequence: UInt16, primary: [UInt8], recovery: Recovery = .redundancy([])) {
        (self.sequence, self.primary, self.recovery) = (sequence, primary, recovery)
    }

    /// What a parser refuses, with where in the datagram.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var problem: String
        public var description: String { "UDPTL at octet \(offset): \(problem)" }
    }

    /// Limits a datagram from outside must keep.
    public static let maximumDatagram = 1500
    public static let maximumRedundancy = 16
    public static let maximumFECEntries = 8
    public static let maximumFECSpan = 32

    /// Reads a datagram; every length is checked against what is left.
    public init(parsing bytes: some Collection<UInt8>) throws(Invalid) {
        var reader = Reader(Array(bytes))
        guard reader.bytes.count <= Self.maximumDatagram else { throw Invalid(offset: 0, problem: "longer than \(Self.maximumDatagram) octets") }
        sequence = UInt16(try reader.octet()) << 8 | UInt16(try reader.octet())
        primary = try reader.openType()
        let choice = try reader.octet()
        if choice & 0x80 == 0 {
            let count = try reader.length()
            guard count <= Self.maximumRedundancy else { throw reader.invalid("\(count) secondary packets (at most \(Self.maximumRedundancy))") }
            var secondaries: [[UInt8]] = []
            for _ in 0..<count { secondaries.append(try reader.openType()) }
            recovery = .redundancy(secondaries)
        } else {
            guard try reader.octet() == 1 else { throw reader.invalid("FEC span longer than one octet") }
            let span = Int(try reader.octet())
            guard span <= Self.maximumFECSpan else { throw reader.invalid("FEC span \(span) (at most \(Self.maximumFECSpan))") }
            let count = try reader.length()
            guard count <= Self.maximumFECEntries else { throw reader.invalid("\(count) FEC entries (at most \(Self.maximumFECEntries))") }
            var entries: [[UInt8]] = []
            for _ in 0..<count { entries.append(try reader.openType()) }
            recovery = .fec(span: span, entries: entries)
        }
        guard reader.offset == reader.bytes.count else { throw reader.invalid("\(reader.bytes.count - reader.offset) octets after the packet") }
    }

    /// The datagram.
    public var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        Self.appendOpenType(primary, to: &out)
        switch recovery {
        case .redundancy(let secondaries):
            out.append(0x00)
            Self.appendLength(secondaries.count, to: &out)
            for secondary in secondaries { Self.appendOpenType(secondary, to: &out) }
        case .fec(let span, let entries):
            out += [0x80, 1, UInt8(span)]
            Self.appendLength(entries.count, to: &out)
            for entry in entries { Self.appendOpenType(entry, to: &out) }
        }
        return out
    }

    /// The size of `ifp` as an open type in a datagram.
    static func encodedSize(_ ifp: [UInt8]) -> Int {
        let count = max(ifp.count, 1)
        return count + (count < 0x80 ? 1 : 2)
    }

    static func appendOpenType(_ ifp: [UInt8], to out: inout [UInt8]) {
        let content = ifp.isEmpty ? [0] : ifp
        appendLength(content.count, to: &out)
        out += content
    }

    /// A PER length determinant below 16,384 (X.691 §10.9.3.6-7).
    static func appendLength(_ count: Int, to out: inout [UInt8]) {
        precondition(count < 0x4000, "UDPTL lengths stay below 16384")
        if count < 0x80 { out.append(UInt8(count)) } else { out += [UInt8(0x80 | (count >> 8)), UInt8(count & 0xFF)] }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func invalid(_ problem: String) -> Invalid { Invalid(offset: offset, problem: problem) }

        mutating func octet() throws(Invalid) -> UInt8 {
            guard offset < bytes.count else { throw invalid("ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func length() throws(Invalid) -> Int {
            let first = try octet()
            switch first >> 6 {
            case 0, 1: return Int(first)
            case 2: return Int(first & 0x3F) << 8 | Int(try octet())
            default: throw Invalid(offset: offset - 1, problem: "fragmented length (16384 octets or more)")
            }
        }

        mutating func openType() throws(Invalid) -> [UInt8] {
            let count = try length()
            guard count <= bytes.count - offset else { throw invalid("an open type of \(count) octets with \(bytes.count - offset) left") }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }
    }
}
