/// The fixed RTP header, its CSRC list and its header extension (RFC 3550 §5.1, §5.3.1).
///
/// Parsing reads a received datagram in place: the payload is returned as a range of it,
/// and a packet without CSRCs or extension allocates nothing.
public struct RTPHeader: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    public var headerExtension: RTPHeaderExtension?
    /// Padding octets after the payload, the last of which holds the count (§5.1 P bit).
    public var paddingLength: Int

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                csrcs: [UInt32] = [], headerExtension: RTPHeaderExtension? = nil, paddingLength: Int = 0) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.paddingLength = paddingLength
    }

    /// Octets of header before the payload.
    public var length: Int { 12 + 4 * csrcs.count + (headerExtension.map { 4 + $0.data.count } ?? 0) }

    /// Reads an RTP packet: version 2, padding and extension consistent with the length.
    /// Returns the header and where the payload is in `packet`.
    public static func parse(_ packet: UnsafeRawBufferPointer) throws(RTPParseError) -> (RTPHeader, payload: Range<Int>) {
        guard packet.count >= 12 else { throw .tooShort(packet.count) }
        let b0 = packet[0], b1 = packet[1]
        guard b0 >> 6 == 2 else { throw .badVersion(b0 >> 6) }
        let csrcCount = Int(b0 & 0x0F)
        var offset = 12
        guard packet.count >= offset + 4 * csrcCount else { throw .tooShort(packet.count) }
        var csrcs: [UInt32] = []
        if csrcCount > 0 {
            csrcs.reserveCapacity(csrcCount)
            for i in 0..<csrcCount { csrcs.append(packet.uint32(at: 12 + 4 * i)) }
            offset += 4 * csrcCount
        }
        var ext: RTPHeaderExtension?
        if b0 & 0x10 != 0 {
            guard packet.count >= offset + 4 else { throw .tooShort(packet.count) }
            let words = Int(packet.uint16(at: offset + 2))
            guard packet.count >= offset + 4 + 4 * words else { throw .badLength }
            ext = RTPHeaderExtension(profile: packet.uint16(at: offset),
                                     data: Array(packet[(offset + 4)..<(offset + 4 + 4 * words)]))
            offset += 4 + 4 * words
        }
        var padding = 0
        if b0 & 0x20 != 0 {
            padding = Int(packet[packet.count - 1])
            guard padding > 0, packet.count - padding >= offset else { throw .badPadding }
        }
        let header = RTPHeader(marker: b1 & 0x80 != 0, payloadType: b1 & 0x7F, sequenceNumber: packet.uint16(at: 2),
                               timestamp: packet.uint32(at: 4), ssrc: packet.uint32(at: 8), csrcs: csrcs,
                               headerExtension: ext, paddingLength: padding)
        return (header, offset..<(packet.count - padding))
    }

    /// Writes header, payload and padding (the last padding octet holds the count).
    public func write(payload: some Collection<UInt8>, into out: inout [UInt8]) {
        precondition(csrcs.count <= 15 && paddingLength <= 255 && (headerExtension?.data.count ?? 0) % 4 == 0)
        var b0: UInt8 = 0x80 | UInt8(csrcs.count)
        if paddingLength > 0 { b0 |= 0x20 }
        if headerExtension != nil { b0 |= 0x10 }
        out.append(b0)
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.appendBigEndian(sequenceNumber)
        out.appendBigEndian(timestamp)
        out.appendBigEndian(ssrc)
        for c in csrcs { out.appendBigEndian(c) }
        if let e = headerExtension {
            out.appendBigEndian(e.profile)
            out.appendBigEndian(UInt16(e.data.count / 4))
            out.append(contentsOf: e.data)
        }
        out.append(contentsOf: payload)
        if paddingLength > 0 {
            out.append(contentsOf: repeatElement(0, count: paddingLength - 1))
            out.append(UInt8(paddingLength))
        }
    }

    /// Writes the 12-byte fixed header of a packet without CSRCs, extension or padding
    /// straight into `out` (the media clock's per-packet path allocates nothing).
    public func writeFixedHeader(into out: UnsafeMutableRawBufferPointer) {
        precondition(csrcs.isEmpty && headerExtension == nil && paddingLength == 0 && out.count >= 12)
        out[0] = 0x80
        out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        out.storeBytes(of: sequenceNumber.bigEndian, toByteOffset: 2, as: UInt16.self)
        out.storeBytes(of: timestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
        out.storeBytes(of: ssrc.bigEndian, toByteOffset: 8, as: UInt32.self)
    }

    /// The packet's bytes.
    public func serialized(payload: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length + payload.count + paddingLength)
        write(payload: payload, into: &out)
        return out
    }
}

/// The header extension: a profile-defined 16-bit value and a whole number of 32-bit words
/// (RFC 3550 §5.3.1).
public struct RTPHeaderExtension: Sendable, Equatable {
    public var profile: UInt16
    public var data: [UInt8]

    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func uint16(at i: Int) -> UInt16 { UInt16(self[i]) << 8 | UInt16(self[i + 1]) }
    @inline(__always) func uint32(at i: Int) -> UInt32 { UInt32(uint16(at: i)) << 16 | UInt32(uint16(at: i + 2)) }
}

extension [UInt8] {
    @inline(__always) mutating func appendBigEndian(_ v: UInt16) {
        append(UInt8(v >> 8))
        append(UInt8(v & 0xFF))
    }

    @inline(__always) mutating func appendBigEndian(_ v: UInt32) {
        appendBigEndian(UInt16(v >> 16))
        appendBigEndian(UInt16(v & 0xFFFF))
    }
}
