/// The audio encodings sipdial sends and receives, with their RTP identities.
public enum AudioCodec: String, Sendable, CaseIterable, Codable {
    /// G.711 µ-law, static payload type 0 (RFC 3551 §4.5.14).
    case pcmu
    /// G.711 A-law, static payload type 8 (RFC 3551 §4.5.14).
    case pcma
    /// Opus, dynamic payload type, always `opus/48000/2` in SDP (RFC 7587 §7).
    case opus

    /// The rtpmap sipdial offers for this codec.
    public var rtpMap: RTPMapEntry {
        switch self {
        case .pcmu: RTPMapEntry(payloadType: 0, encoding: "PCMU", clockRate: 8000)
        case .pcma: RTPMapEntry(payloadType: 8, encoding: "PCMA", clockRate: 8000)
        case .opus: RTPMapEntry(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2)
        }
    }

    /// The fmtp sipdial offers for Opus (RFC 7587 §6.1): in-band FEC on, and the 16 kHz
    /// (wideband) sipdial plays and captures at, so the peer spends no bits above it.
    public var fmtp: String? {
        self == .opus ? "useinbandfec=1;maxplaybackrate=16000;sprop-maxcapturerate=16000" : nil
    }

    /// The RTP clock rate (Opus always counts 48 kHz, RFC 7587 §4.1).
    public var clockRate: Int { rtpMap.clockRate }

    /// The codec an rtpmap entry names, if sipdial has it.
    public init?(_ entry: RTPMapEntry) {
        guard let codec = AudioCodec.allCases.first(where: { $0.rtpMap.sameEncoding(as: entry) }) else { return nil }
        self = codec
    }
}

/// RFC 4733 telephone-events: the rtpmap for a clock rate and the events offered.
public enum TelephoneEvent {
    /// Payload types sipdial offers: 101 at 8 kHz, 102 at 48 kHz (next to Opus).
    public static func rtpMap(clockRate: Int) -> RTPMapEntry {
        RTPMapEntry(payloadType: clockRate == 8000 ? 101 : 102, encoding: "telephone-event", clockRate: clockRate)
    }

    /// The DTMF events 0-9, *, #, A-D (RFC 4733 §7.1.1).
    public static let fmtp = "0-16"
}
