/// One stream's RTCP bookkeeping (RFC 3550 §6): builds the compound reports sipdial sends
/// (SR while it sends, else RR, each with SDES CNAME; RR + BYE at the end) and reads the
/// peer's, taking the round-trip time from report blocks about sipdial's SSRC (§6.4.1).
/// Times are seconds since 1970 on the wall clock, as NTP timestamps need.
public struct RTCPSession: Sendable {
    public let ssrc: UInt32
    public let cname: String
    /// The peer's last SR: the middle 32 bits of its NTP time and when it arrived.
    private var lastSenderReport: (middle: UInt32, arrival: Double)?
    public private(set) var roundTripTime: Double?
    public private(set) var reportsSent = 0
    public private(set) var reportsReceived = 0
    /// Compound packets received that were not valid RTCP (counted and dropped).
    public private(set) var malformed = 0

    public init(ssrc: UInt32, cname: String) {
        self.ssrc = ssrc
        self.cname = cname
    }

    /// NTP format: seconds since 1900 in 32.32 fixed point.
    public static func ntp(_ unixSeconds: Double) -> UInt64 {
        UInt64((unixSeconds + 2_208_988_800) * 4_294_967_296)
    }

    static func middle(_ ntp: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: ntp >> 16) }

    /// The next report: an SR when packets went out since the last one, else an RR, with a
    /// reception block when the peer's stream is known, and SDES CNAME (§6.1).
    public mutating func makeReport(now: Double, rtpTimestamp: UInt32, packetsSent: UInt64, octetsSent: UInt64,
                                    sentSinceLastReport: Bool, reception: inout RTPReceptionStatistics?) -> [UInt8] {
        var blocks: [RTCPReportBlock] = []
        if var r = reception {
            blocks.append(receptionBlock(now: now, &r))
            reception = r
        }
        let first: RTCPPacket = sentSinceLastReport
            ? .senderReport(ssrc: ssrc, ntpTimestamp: Self.ntp(now), rtpTimestamp: rtpTimestamp,
                            packetCount: UInt32(truncatingIfNeeded: packetsSent), octetCount: UInt32(truncatingIfNeeded: octetsSent), reports: blocks)
            : .receiverReport(ssrc: ssrc, reports: blocks)
        reportsSent += 1
        return RTCPPacket.compound([first, .sourceDescription([(ssrc: ssrc, cname: cname)])])
    }

    /// RR and BYE, sent when the stream ends (§6.6).
    public mutating func makeBye(reason: String?) -> [UInt8] {
        reportsSent += 1
        return RTCPPacket.compound([.receiverReport(ssrc: ssrc, reports: []), .bye(ssrcs: [ssrc], reason: reason)])
    }

    private func receptionBlock(now: Double, _ reception: inout RTPReceptionStatistics) -> RTCPReportBlock {
        guard let sr = lastSenderReport else { return reception.makeReportBlock() }
        // DLSR in 1/65536 s (§6.4.1); past 18 hours without a new SR it saturates.
        let delay = min(max(0, now - sr.arrival) * 65536, Double(UInt32.max))
        return reception.makeReportBlock(lastSR: sr.middle, delaySinceLastSR: UInt32(delay))
    }

    /// Reads a received compound packet. Returns false (and counts it) when it is not valid
    /// RTCP, or is sipdial's own packet looped back.
    @discardableResult
    public mutating func receive(_ packet: UnsafeRawBufferPointer, now: Double) -> Bool {
        guard let packets = try? RTCPPacket.parseCompound(packet) else {
            malformed += 1
            return false
        }
        var own = false
        for p in packets {
            switch p {
            case let .senderReport(sender, ntp, _, _, _, reports):
                own = own || sender == ssrc
                if sender != ssrc { lastSenderReport = (Self.middle(ntp), now) }
                read(reports, now: now)
            case let .receiverReport(sender, reports):
                own = own || sender == ssrc
                read(reports, now: now)
            default:
                break
            }
        }
        if own { return false }
        reportsReceived += 1
        return true
    }

    private mutating func read(_ blocks: [RTCPReportBlock], now: Double) {
        for block in blocks where block.ssrc == ssrc {
            if let rtt = block.roundTripTime(receivedAt: Self.middle(Self.ntp(now))) { roundTripTime = rtt }
        }
    }
}
