import SDP

/// Figures of one RTP stream, kept for the call's result and CDR (RFC 3550 §6.4).
public struct RTPStreamStatistics: Sendable, Equatable, Codable {
    public var packetsSent: UInt64 = 0
    public var octetsSent: UInt64 = 0
    public var packetsReceived: UInt64 = 0
    public var octetsReceived: UInt64 = 0
    public var packetsLost: Int64 = 0
    public var jitterMilliseconds: Double = 0
    /// Datagrams that were not valid RTP, or RTP of another payload type or source.
    public var packetsDropped: UInt64 = 0
    /// The address RTP was sent to after symmetric-RTP latching, as "ip:port".
    public var remote: String?
    public var rtcpSent = 0
    public var rtcpReceived = 0
    /// Round-trip time from the peer's last report about this stream (RFC 3550 §6.4.1).
    public var rttMilliseconds: Double?
    /// The SRTP suite, when the stream was secure (RFC 3711, RFC 4568).
    public var srtp: String?

    public init() {}
}

/// How a negotiated stream sends: payload type, encoding, and where.
public struct RTPStreamParameters: Sendable {
    public var remoteAddress: String
    public var remotePort: Int
    public var payloadType: UInt8
    public var encoding: RTPAudioEncoding
    /// The peer's RFC 4733 telephone-event payload type (8 kHz), when negotiated.
    public var telephoneEventPayloadType: UInt8?
    /// Seconds without a received packet before `onTimeout` fires (0 = never).
    public var timeout: Double
    /// Where RTCP goes: the peer's RTCP port, or its RTP port with rtcp-mux (RFC 5761).
    public var remoteRTCPPort: Int
    public var rtcpMux: Bool
    /// Mean seconds between reports; each interval is randomized 0.5-1.5× (RFC 3550 §6.3).
    public var rtcpInterval: Double
    /// False while the peer holds the call (it does not want audio): nothing is sent, the
    /// timeline still advances.
    public var sends = true
    /// With Opus, the peer's `maxplaybackrate` (RFC 7587 §6.1), which caps the encoded bandwidth.
    public var maxPlaybackRate: Int?
    /// SRTP's suite and keys, when the stream is secure.
    public var srtp: NegotiatedSRTP?

    public init(remoteAddress: String, remotePort: Int, payloadType: UInt8, encoding: RTPAudioEncoding,
                telephoneEventPayloadType: UInt8? = nil, timeout: Double = 30,
                remoteRTCPPort: Int? = nil, rtcpMux: Bool = false, rtcpInterval: Double = 5) {
        self.remoteRTCPPort = rtcpMux ? remotePort : (remoteRTCPPort ?? remotePort + 1)
        self.rtcpMux = rtcpMux
        self.rtcpInterval = rtcpInterval
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.payloadType = payloadType
        self.encoding = encoding
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.timeout = timeout
    }
}
