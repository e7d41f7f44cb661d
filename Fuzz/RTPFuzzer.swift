// libFuzzer target for the RTP layer: RTP header, RTCP compound packets (RFC 3550), RFC 4733
// telephone-event payloads, and the per-stream state they feed.
// Built by `FUZZ_TARGET=rtp Fuzz/run.sh` together with Sources/RTP/*.swift in one module.
//
// The input is a run of datagrams, each one length byte and then that many bytes, read in
// order by one receiving stream, as the media clock reads a socket. Properties checked on
// every input (a violation traps, which libFuzzer reports as a crash):
// - nothing crashes, overflows or hangs, whatever the bytes;
// - an RTP packet that parses serializes to a packet that parses to the same header and payload;
// - an RTCP compound packet that parses serializes to one that parses to the same packets;
// - the reception statistics, jitter buffer, RTCP session and telephone-event receiver take
//   every packet the parsers accept.

@_cdecl("LLVMFuzzerTestOneInput")
public func rtpFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var stream = ReceivingStream()
    var offset = 0
    while offset < input.count {
        let length = Int(input[offset])
        let end = min(input.count, offset + 1 + length)
        stream.receive(UnsafeRawBufferPointer(rebasing: input[(offset + 1)..<end]), arrival: Double(offset) / 1000)
        offset = end
    }
    return 0
}

/// What one RTP stream keeps about what it received.
private struct ReceivingStream {
    var statistics: RTPReceptionStatistics?
    var playout = JitterBuffer<[UInt8]>()
    var rtcp = RTCPSession(ssrc: 0x1234_5678, cname: "fuzz@127.0.0.1")
    var events = TelephoneEventReceiver(clockRate: 8000)

    mutating func receive(_ datagram: UnsafeRawBufferPointer, arrival: Double) {
        // RFC 5761 §4: payload types 64-95 with the marker are RTCP on a muxed port.
        if datagram.count >= 2, (192...223).contains(datagram[1]) {
            return receiveRTCP(datagram, arrival: arrival)
        }
        guard let (header, payload) = try? RTPHeader.parse(datagram) else { return }
        let bytes = Array(datagram[payload])
        let again = header.serialized(payload: bytes)
        guard let (reread, rereadPayload) = again.withUnsafeBytes({ try? RTPHeader.parse($0) }) else {
            preconditionFailure("a parsed RTP packet does not read back")
        }
        precondition(reread == header && Array(again[rereadPayload]) == bytes, "RTP round trip changed the packet")

        if statistics == nil { statistics = RTPReceptionStatistics(ssrc: header.ssrc, firstSequence: header.sequenceNumber, clockRate: 8000) }
        guard statistics!.record(sequence: header.sequenceNumber, timestamp: header.timestamp, payloadOctets: bytes.count, arrival: arrival) else { return }
        if header.payloadType == 101 {
            if let event = TelephoneEventPayload(UnsafeRawBufferPointer(rebasing: datagram[payload])) {
                _ = events.handle(event, timestamp: header.timestamp, arrival: arrival)
            }
            return
        }
        _ = playout.insert(bytes, timestamp: header.timestamp)
        playout.adapt(toJitter: statistics!.jitter)
        _ = playout.next()
    }

    mutating func receiveRTCP(_ datagram: UnsafeRawBufferPointer, arrival: Double) {
        rtcp.receive(datagram, now: arrival)
        guard let packets = try? RTCPPacket.parseCompound(datagram) else { return }
        let reread = RTCPPacket.compound(packets).withUnsafeBytes { try? RTCPPacket.parseCompound($0) }
        guard let reread else { preconditionFailure("parsed RTCP packets do not read back") }
        // Text decoded from invalid UTF-8 can outgrow the 255 octets an item can carry; it is
        // cut when written, and must read back the same from then on.
        if packets.allSatisfy(\.textFits) {
            precondition(reread == packets, "RTCP round trip changed the packets")
        } else {
            let third = RTCPPacket.compound(reread).withUnsafeBytes { try? RTCPPacket.parseCompound($0) }
            precondition(third == reread, "RTCP text cut to 255 octets does not read back the same")
        }
        _ = statistics?.makeReportBlock()
    }
}

extension RTCPPacket {
    /// Whether every SDES item and BYE reason fits the 255 octets of its length field.
    var textFits: Bool {
        switch self {
        case let .sourceDescription(chunks): chunks.allSatisfy { $0.cname.utf8.count <= 255 }
        case let .bye(_, reason): (reason?.utf8.count ?? 0) <= 255
        default: true
        }
    }
}
