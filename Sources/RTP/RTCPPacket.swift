/// One reception report (RFC 3550 §6.4.1).
public struct RTCPReportBlock: Sendable, Equatable {
    public var ssrc: UInt32
    /// Fraction of packets lost since the last report, in 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost, a signed 24-bit number on the wire.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    public var jitter: UInt32
    /// The middle 32 bits of the NTP timestamp of the last SR received from this source.
    public var lastSR: UInt32
    /// Delay since that SR, in 1/65536 seconds.
    public var delaySinceLastSR: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSR: UInt32, delaySinceLastSR: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSR = lastSR
        self.delaySinceLastSR = delaySinceLastSR
    }

    /// Round-trip time from this block, received at `now` (NTP middle 32 bits), in seconds
    /// (RFC 3550 §6.4.1 "A = arrival, RTT = A - LSR - DLSR"); nil before any SR was echoed.
    public func roundTripTime(receivedAt now: UInt32) -> Double? {
        guard lastSR != 0 else { return nil }
        let rtt = now &- lastSR &- delaySinceLastSR
        return rtt > 0x8000_0000 ? nil : Double(rtt) / 65536
    }
}

/// RTCP packets sipdial sends and reads (RFC 3550 §6.4-§6.6). Other types are kept opaque.
public enum RTCPPacket: Sendable, Equatable {
    /// Sender report (PT 200): NTP time, RTP time, counts, and reports on others.
    case senderReport(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32, reports: [RTCPReportBlock])
    /// Receiver report (PT 201).
    case receiverReport(ssrc: UInt32, reports: [RTCPReportBlock])
    /// Source description (PT 202); sipdial reads and writes CNAME (item 1).
    case sourceDescription([(ssrc: UInt32, cname: String)])
    /// Goodbye (PT 203).
    case bye(ssrcs: [UInt32], reason: String?)
    /// Any other packet type, as received.
    case other(type: UInt8, count: UInt8, body: [UInt8])

    public static func == (a: RTCPPacket, b: RTCPPacket) -> Bool {
        switch (a, b) {
        case let (.sourceDescription(x), .sourceDescription(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.ssrc == $1.ssrc && $0.cname == $1.cname }
        case let (.senderReport(a1, a2, a3, a4, a5, a6), .senderReport(b1, b2, b3, b4, b5, b6)):
            return a1 == b1 && a2 == b2 && a3 == b3 && a4 == b4 && a5 == b5 && a6 == b6
        case let (.receiverReport(a1, a2), .receiverReport(b1, b2)): return a1 == b1 && a2 == b2
        case let (.bye(a1, a2), .bye(b1, b2)): return a1 == b1 && a2 == b2
        case let (.other(a1, a2, a3), .other(b1, b2, b3)): return a1 == b1 && a2 == b2 && a3 == b3
        default: return false
        }
    }

    /// Reads a compound RTCP packet (§6.1): every sub-packet version 2 with a length that
    /// fits, the first an SR or RR (§A.2 validity check).
    public static func parseCompound(_ buf: UnsafeRawBufferPointer) throws(RTPParseError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < buf.count {
            guard buf.count - offset >= 4 else { throw .tooShort(buf.count - offset) }
            let b0 = buf[offset]
            guard b0 >> 6 == 2 else { throw .badVersion(b0 >> 6) }
            let count = b0 & 0x1F
            let type = buf[offset + 1]
            let length = 4 * (Int(buf.uint16(at: offset + 2)) + 1)
            guard offset + length <= buf.count else { throw .badLength }
            var end = offset + length
            if b0 & 0x20 != 0 {
                let padding = Int(buf[end - 1])
                guard padding > 0, padding <= length - 4 else { throw .badPadding }
                end -= padding
            }
            let body = UnsafeRawBufferPointer(rebasing: buf[(offset + 4)..<end])
            if packets.isEmpty, type != 200, type != 201 { throw .notRTCP }
            packets.append(try parseOne(type: type, count: count, body))
            offset += length
        }
        guard !packets.isEmpty else { throw .tooShort(0) }
        return packets
    }

    private static func parseOne(type: UInt8, count: UInt8, _ b: UnsafeRawBufferPointer) throws(RTPParseError) -> RTCPPacket {
        switch type {
        case 200:
            guard b.count >= 24 + 24 * Int(count) else { throw .badLength }
            let ntp = UInt64(b.uint32(at: 4)) << 32 | UInt64(b.uint32(at: 8))
            return .senderReport(ssrc: b.uint32(at: 0), ntpTimestamp: ntp, rtpTimestamp: b.uint32(at: 12),
                                 packetCount: b.uint32(at: 16), octetCount: b.uint32(at: 20), reports: reportBlocks(b, from: 24, count))
        case 201:
            guard b.count >= 4 + 24 * Int(count) else { throw .badLength }
            return .receiverReport(ssrc: b.uint32(at: 0), reports: reportBlocks(b, from: 4, count))
        case 202:
            var chunks: [(ssrc: UInt32, cname: String)] = []
            var i = 0
            for _ in 0..<count {
                guard i + 4 <= b.count else { throw .badLength }
                let ssrc = b.uint32(at: i)
                i += 4
                var cname = ""
                // Items until a zero octet, then padding to the next 32-bit boundary (§6.5).
                while i < b.count, b[i] != 0 {
                    guard i + 2 <= b.count, i + 2 + Int(b[i + 1]) <= b.count else { throw .badLength }
                    if b[i] == 1 { cname = String(decoding: b[(i + 2)..<(i + 2 + Int(b[i + 1]))], as: UTF8.self) }
                    i += 2 + Int(b[i + 1])
                }
                i = (i + 4) & ~3
                chunks.append((ssrc, cname))
            }
            return .sourceDescription(chunks)
        case 203:
            guard b.count >= 4 * Int(count) else { throw .badLength }
            let ssrcs = (0..<Int(count)).map { b.uint32(at: 4 * $0) }
            var reason: String?
            let r = 4 * Int(count)
            if r < b.count {
                let n = Int(b[r])
                guard r + 1 + n <= b.count else { throw .badLength }
                reason = String(decoding: b[(r + 1)..<(r + 1 + n)], as: UTF8.self)
            }
            return .bye(ssrcs: ssrcs, reason: reason)
        default:
            return .other(type: type, count: count, body: Array(b))
        }
    }

    private static func reportBlocks(_ b: UnsafeRawBufferPointer, from start: Int, _ count: UInt8) -> [RTCPReportBlock] {
        (0..<Int(count)).map { k in
            let o = start + 24 * k
            let lost = b.uint32(at: o + 4) & 0x00FF_FFFF
            let cumulative = Int32(bitPattern: lost << 8) >> 8   // sign-extend 24 bits
            return RTCPReportBlock(ssrc: b.uint32(at: o), fractionLost: b[o + 4], cumulativeLost: cumulative,
                                   extendedHighestSequence: b.uint32(at: o + 8), jitter: b.uint32(at: o + 12),
                                   lastSR: b.uint32(at: o + 16), delaySinceLastSR: b.uint32(at: o + 20))
        }
    }

    /// Appends this packet, padded to a 32-bit boundary, with its length field (§6.4).
    public func write(into out: inout [UInt8]) {
        let start = out.count
        var count: UInt8 = 0
        var padded = false
        let type: UInt8
        out.append(contentsOf: [0, 0, 0, 0])
        switch self {
        case let .senderReport(ssrc, ntp, rtp, packets, octets, reports):
            type = 200
            count = UInt8(min(reports.count, 31))
            out.appendBigEndian(ssrc)
            out.appendBigEndian(UInt32(ntp >> 32))
            out.appendBigEndian(UInt32(ntp & 0xFFFF_FFFF))
            out.appendBigEndian(rtp)
            out.appendBigEndian(packets)
            out.appendBigEndian(octets)
            for r in reports.prefix(31) { Self.write(r, into: &out) }
        case let .receiverReport(ssrc, reports):
            type = 201
            count = UInt8(min(reports.count, 31))
            out.appendBigEndian(ssrc)
            for r in reports.prefix(31) { Self.write(r, into: &out) }
        case let .sourceDescription(chunks):
            type = 202
            count = UInt8(min(chunks.count, 31))
            for c in chunks.prefix(31) {
                out.appendBigEndian(c.ssrc)
                let name = Self.text(c.cname)
                out.append(1)
                out.append(UInt8(name.count))
                out.append(contentsOf: name)
                out.append(0)   // end of items
                while (out.count - start) % 4 != 0 { out.append(0) }
            }
        case let .bye(ssrcs, reason):
            type = 203
            count = UInt8(min(ssrcs.count, 31))
            for s in ssrcs.prefix(31) { out.appendBigEndian(s) }
            if let reason {
                let r = Self.text(reason)
                out.append(UInt8(r.count))
                out.append(contentsOf: r)
            }
        case let .other(t, c, body):
            type = t
            count = c & 0x1F
            out.append(contentsOf: body)
            // A body that is not whole words goes with padding whose last octet counts it
            // (P bit, §6.4.1), so the reader gets the same body back.
            let padding = (4 - body.count % 4) % 4
            if padding > 0 {
                out.append(contentsOf: repeatElement(0, count: padding - 1))
                out.append(UInt8(padding))
                padded = true
            }
        }
        while (out.count - start) % 4 != 0 { out.append(0) }
        let words = (out.count - start) / 4 - 1
        out[start] = 0x80 | (padded ? 0x20 : 0) | count
        out[start + 1] = type
        out[start + 2] = UInt8(words >> 8)
        out[start + 3] = UInt8(words & 0xFF)
    }

    /// An SDES item's or BYE reason's octets: UTF-8 cut to the 255 the length octet can say,
    /// at a character boundary so what is sent stays valid UTF-8.
    private static func text(_ string: String) -> [UInt8] {
        let utf8 = Array(string.utf8)
        var end = min(utf8.count, 255)
        // Back off continuation octets (10xxxxxx) to the start of the character cut in two.
        while end < utf8.count, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(utf8[..<end])
    }

    private static func write(_ r: RTCPReportBlock, into out: inout [UInt8]) {
        out.appendBigEndian(r.ssrc)
        out.appendBigEndian(UInt32(r.fractionLost) << 24 | UInt32(bitPattern: r.cumulativeLost) & 0x00FF_FFFF)
        out.appendBigEndian(r.extendedHighestSequence)
        out.appendBigEndian(r.jitter)
        out.appendBigEndian(r.lastSR)
        out.appendBigEndian(r.delaySinceLastSR)
    }

    /// A compound packet's bytes.
    public static func compound(_ packets: [RTCPPacket]) -> [UInt8] {
        var out: [UInt8] = []
        for p in packets { p.write(into: &out) }
        return out
    }
}
