import RTP
import Testing

struct RTPPacketTests {
    @Test func plainPacketRoundTripsWithoutCopies() throws {
        let header = RTPHeader(marker: true, payloadType: 0, sequenceNumber: 65535, timestamp: 0xFFFF_FF00, ssrc: 0xDEAD_BEEF)
        let payload = [UInt8](repeating: 0xFF, count: 160)
        let bytes = header.serialized(payload: payload)
        #expect(bytes.count == 172)
        #expect(Array(bytes.prefix(4)) == [0x80, 0x80, 0xFF, 0xFF])
        let (parsed, range) = try bytes.withUnsafeBytes { try RTPHeader.parse($0) }
        #expect(parsed == header && range == 12..<172)
    }

    @Test func csrcsExtensionAndPaddingRoundTrip() throws {
        let header = RTPHeader(payloadType: 101, sequenceNumber: 7, timestamp: 160, ssrc: 1, csrcs: [2, 3],
                               headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4, 5, 6, 7, 8]), paddingLength: 3)
        let payload: [UInt8] = [9, 10, 11, 12]
        let bytes = header.serialized(payload: payload)
        #expect(bytes.count == 12 + 8 + 4 + 8 + 4 + 3 && bytes.last == 3)
        let (parsed, range) = try bytes.withUnsafeBytes { try RTPHeader.parse($0) }
        #expect(parsed == header)
        #expect(Array(bytes[range]) == payload)
    }

    @Test(arguments: [
        ([0x80, 0x00, 0x00], RTPParseError.tooShort(3)),
        ([0x40, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], RTPParseError.badVersion(1)),
        ([0x82, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2], RTPParseError.tooShort(16)),
        ([0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 1, 2, 3, 4], RTPParseError.badLength),
        ([0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9], RTPParseError.badPadding),
        ([0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], RTPParseError.badPadding),
    ] as [([UInt8], RTPParseError)])
    func malformedPacketsAreRefused(bytes: [UInt8], expected: RTPParseError) {
        #expect(throws: expected) { try bytes.withUnsafeBytes { try RTPHeader.parse($0) } }
    }
}

struct RTCPPacketTests {
    static let block = RTCPReportBlock(ssrc: 9, fractionLost: 64, cumulativeLost: -3, extendedHighestSequence: 0x1_0005,
                                       jitter: 40, lastSR: 0x1234_5678, delaySinceLastSR: 65536)

    @Test func compoundRoundTrips() throws {
        let packets: [RTCPPacket] = [
            .senderReport(ssrc: 1, ntpTimestamp: 0xE000_0000_8000_0000, rtpTimestamp: 8000, packetCount: 50, octetCount: 8000, reports: [Self.block]),
            .sourceDescription([(ssrc: 1, cname: "sipdial@192.0.2.1")]),
            .bye(ssrcs: [1], reason: "call ended"),
        ]
        let bytes = RTCPPacket.compound(packets)
        #expect(bytes.count % 4 == 0)
        #expect(try bytes.withUnsafeBytes { try RTCPPacket.parseCompound($0) } == packets)
        let rr: [RTCPPacket] = [.receiverReport(ssrc: 5, reports: []), .other(type: 204, count: 1, body: [1, 2, 3, 4])]
        #expect(try RTCPPacket.compound(rr).withUnsafeBytes { try RTCPPacket.parseCompound($0) } == rr)
    }

    /// Found by the RTP fuzzer: an unknown packet whose body is not whole words went out
    /// zero-filled and came back longer; it now goes with RFC 3550 padding (P bit).
    @Test func anUnknownPacketKeepsABodyThatIsNotWholeWords() throws {
        let packets: [RTCPPacket] = [.receiverReport(ssrc: 5, reports: []), .other(type: 0, count: 5, body: (1...11).map { UInt8($0) })]
        let bytes = RTCPPacket.compound(packets)
        #expect(bytes[8] & 0x20 != 0 && bytes.last == 1, "padded, the last octet counting the padding")
        #expect(try bytes.withUnsafeBytes { try RTCPPacket.parseCompound($0) } == packets)
    }

    /// Text longer than an item's 255 octets is cut at a character boundary, so the octets
    /// sent stay valid UTF-8 and read back as what was sent.
    @Test func longTextIsCutAtACharacterBoundary() throws {
        let cname = String(repeating: "a", count: 254) + "é"   // 256 octets of UTF-8
        let packets: [RTCPPacket] = [.receiverReport(ssrc: 5, reports: []), .sourceDescription([(ssrc: UInt32(5), cname: cname)])]
        let read = try RTCPPacket.compound(packets).withUnsafeBytes { try RTCPPacket.parseCompound($0) }
        #expect(read.last == RTCPPacket.sourceDescription([(ssrc: UInt32(5), cname: String(repeating: "a", count: 254))]))
    }

    @Test func compoundMustStartWithAReport() {
        let bye = RTCPPacket.compound([.bye(ssrcs: [1], reason: nil)])
        #expect(throws: RTPParseError.notRTCP) { try bye.withUnsafeBytes { try RTCPPacket.parseCompound($0) } }
        var truncated = RTCPPacket.compound([.receiverReport(ssrc: 5, reports: [Self.block])])
        truncated.removeLast(4)
        #expect(throws: RTPParseError.badLength) { try truncated.withUnsafeBytes { try RTCPPacket.parseCompound($0) } }
    }

    @Test func roundTripTimeFromAnEchoedReport() {
        // SR sent at 0x12345678 (middle NTP bits), peer held it 1 s, answer arrives 1.5 s after sending.
        let now: UInt32 = 0x1234_5678 &+ 65536 + 32768
        #expect(Self.block.roundTripTime(receivedAt: now) == 0.5)
    }
}

struct ReceptionStatisticsTests {
    @Test func countsLossAcrossTheSequenceWrap() {
        var s = RTPReceptionStatistics(ssrc: 1, firstSequence: 65530, clockRate: 8000)
        var seq: UInt16 = 65530, ts: UInt32 = 0, t = 0.0
        var delivered = 0
        for i in 0..<20 {
            if i != 10 && i != 11 {   // two packets lost after the wrap
                if s.record(sequence: seq, timestamp: ts, payloadOctets: 160, arrival: t) { delivered += 1 }
            }
            seq &+= 1
            ts &+= 160
            t += 0.02
        }
        #expect(s.isValid)
        #expect(s.cycles == 1 << 16)
        #expect(s.extendedHighestSequence == 65536 + 13)
        #expect(s.cumulativeLost == 2)
        #expect(delivered == 17, "the first packet is the probation one")
        #expect(s.jitter == 0, "packets arrived exactly on time")
        let block = s.makeReportBlock()
        #expect(block.fractionLost == UInt8(2 * 256 / 19))
        #expect(s.makeReportBlock().fractionLost == 0, "nothing new in the next interval")
    }

    @Test func jitterFollowsRFC3550Estimator() {
        var s = RTPReceptionStatistics(ssrc: 1, firstSequence: 0, clockRate: 8000)
        // Arrivals alternate 10 ms early and late around the 20 ms grid: |D| = 160 units after the first pair.
        for i in 0..<400 {
            let arrival = Double(i) * 0.02 + (i % 2 == 0 ? 0 : 0.01)
            s.record(sequence: UInt16(i), timestamp: UInt32(i * 160), payloadOctets: 160, arrival: arrival)
        }
        // J converges to |D| = 80 units (10 ms).
        #expect(abs(Int(s.jitter) - 80) <= 2)
        #expect(abs(s.jitterMilliseconds - 10) < 0.3)
    }

    /// Found by the RTP fuzzer: a source whose first packets go backwards stays on probation
    /// with its highest sequence number below the first, and the expected count wrapped and
    /// trapped when read (a remote peer could end the process).
    @Test func aSourceOnProbationHasLostNothing() {
        var s = RTPReceptionStatistics(ssrc: 1, firstSequence: 5, clockRate: 8000)
        let first = s.record(sequence: 5, timestamp: 0, payloadOctets: 1, arrival: 0)
        let second = s.record(sequence: 3, timestamp: 0, payloadOctets: 1, arrival: 0)
        #expect(!first && !second && !s.isValid, "both packets are on probation")
        #expect(s.packetsExpected == 0 && s.cumulativeLost == 0)
        let block = s.makeReportBlock()
        #expect(block.fractionLost == 0 && block.cumulativeLost == 0)
    }

    /// The extended highest sequence number is a 32-bit field: a peer stepping forward just
    /// under MAX_DROPOUT wraps the cycle count in about 1.4 million packets, after which it is
    /// below the first sequence number; the counts must wrap with it, not trap.
    @Test func theExtendedSequenceNumberWrapsAfter65536Cycles() {
        var s = RTPReceptionStatistics(ssrc: 1, firstSequence: 60000, clockRate: 8000)
        s.record(sequence: 60000, timestamp: 0, payloadOctets: 1, arrival: 0)
        s.record(sequence: 60001, timestamp: 0, payloadOctets: 1, arrival: 0)
        var seq: UInt16 = 60001
        var wrapped = false
        repeat {
            seq &+= 2999
            s.record(sequence: seq, timestamp: 0, payloadOctets: 1, arrival: 0)
            wrapped = wrapped || s.cycles != 0
        } while !wrapped || s.cycles != 0
        #expect(s.extendedHighestSequence == UInt32(seq) && seq < 60000)
        #expect(s.packetsExpected == UInt64(UInt32(seq) &- 60001) + 1)
        _ = s.makeReportBlock()
    }

    @Test func restartAfterABigJumpConfirmedByTheNextPacket() {
        var s = RTPReceptionStatistics(ssrc: 1, firstSequence: 100, clockRate: 8000)
        for i in 100..<110 { s.record(sequence: UInt16(i), timestamp: 0, payloadOctets: 1, arrival: 0) }
        let jump = s.record(sequence: 40000, timestamp: 0, payloadOctets: 1, arrival: 0)
        let confirmed = s.record(sequence: 40001, timestamp: 0, payloadOctets: 1, arrival: 0)
        #expect(!jump && confirmed)
        #expect(s.cumulativeLost == 0 && s.packetsReceived == 1)
    }
}

struct FixedHeaderTests {
    @Test func fixedHeaderMatchesTheGeneralWriter() {
        let header = RTPHeader(marker: true, payloadType: 8, sequenceNumber: 0x1234, timestamp: 0x89AB_CDEF, ssrc: 0x0102_0304)
        var fixed = [UInt8](repeating: 0, count: 12)
        fixed.withUnsafeMutableBytes { header.writeFixedHeader(into: $0) }
        #expect(fixed == header.serialized(payload: [UInt8]()))
    }
}

struct RTCPSessionTests {
    /// Two sides exchange reports; each learns the round trip from the other's block.
    @Test func roundTripFromEchoedSenderReports() throws {
        var a = RTCPSession(ssrc: 1, cname: "a@x"), b = RTCPSession(ssrc: 2, cname: "b@y")
        var aHearsB: RTPReceptionStatistics? = RTPReceptionStatistics(ssrc: 2, firstSequence: 0, clockRate: 8000)
        var bHearsA: RTPReceptionStatistics? = RTPReceptionStatistics(ssrc: 1, firstSequence: 0, clockRate: 8000)
        for i in 0..<5 {
            aHearsB!.record(sequence: UInt16(i), timestamp: UInt32(i * 160), payloadOctets: 160, arrival: Double(i) * 0.02)
            bHearsA!.record(sequence: UInt16(i), timestamp: UInt32(i * 160), payloadOctets: 160, arrival: Double(i) * 0.02)
        }
        let t0 = 1_800_000_000.0
        // A's SR reaches B 40 ms later; B answers 1 s after that; it reaches A 40 ms later.
        let sr = a.makeReport(now: t0, rtpTimestamp: 800, packetsSent: 5, octetsSent: 800, sentSinceLastReport: true, reception: &aHearsB)
        #expect(sr.withUnsafeBytes { b.receive($0, now: t0 + 0.04) })
        let rr = b.makeReport(now: t0 + 1.04, rtpTimestamp: 0, packetsSent: 0, octetsSent: 0, sentSinceLastReport: false, reception: &bHearsA)
        #expect(rr.withUnsafeBytes { a.receive($0, now: t0 + 1.08) })
        #expect(abs((a.roundTripTime ?? 0) - 0.08) < 0.001, "\(String(describing: a.roundTripTime))")
        #expect(b.roundTripTime == nil, "B has not had a block about itself yet")
        let parsed = try rr.withUnsafeBytes { try RTCPPacket.parseCompound($0) }
        guard case .receiverReport(_, let blocks) = parsed[0] else { Issue.record("not an RR"); return }
        #expect(blocks.first?.ssrc == 1 && blocks.first?.cumulativeLost == 0)
    }

    /// A peer that sent one SR and then only listened for a day: the delay since it
    /// saturates instead of overflowing the 32-bit field.
    @Test func theDelaySinceTheLastSenderReportSaturates() throws {
        var a = RTCPSession(ssrc: 1, cname: "a@x"), b = RTCPSession(ssrc: 2, cname: "b@y")
        var none: RTPReceptionStatistics?
        var bHearsA: RTPReceptionStatistics? = RTPReceptionStatistics(ssrc: 1, firstSequence: 0, clockRate: 8000)
        let sr = a.makeReport(now: 0, rtpTimestamp: 0, packetsSent: 1, octetsSent: 160, sentSinceLastReport: true, reception: &none)
        #expect(sr.withUnsafeBytes { b.receive($0, now: 0) })
        let rr = b.makeReport(now: 86_400, rtpTimestamp: 0, packetsSent: 0, octetsSent: 0, sentSinceLastReport: false, reception: &bHearsA)
        let parsed = try rr.withUnsafeBytes { try RTCPPacket.parseCompound($0) }
        guard case .receiverReport(_, let blocks) = parsed[0] else { Issue.record("not an RR"); return }
        #expect(blocks.first?.delaySinceLastSR == UInt32.max)
    }

    @Test func ownLoopedPacketsAndGarbageAreNotCounted() throws {
        var a = RTCPSession(ssrc: 7, cname: "a")
        var none: RTPReceptionStatistics?
        let own = a.makeReport(now: 1_800_000_000, rtpTimestamp: 0, packetsSent: 1, octetsSent: 1, sentSinceLastReport: true, reception: &none)
        #expect(!own.withUnsafeBytes { a.receive($0, now: 1_800_000_000) })
        #expect(![UInt8](repeating: 0xFF, count: 12).withUnsafeBytes { a.receive($0, now: 0) })
        #expect(a.reportsReceived == 0 && a.malformed == 1)
        let bye = a.makeBye(reason: "done")
        let parsed = try bye.withUnsafeBytes { try RTCPPacket.parseCompound($0) }
        #expect(parsed.last == .bye(ssrcs: [7], reason: "done"))
    }
}
