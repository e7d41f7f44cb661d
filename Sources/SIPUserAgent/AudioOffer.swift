import SDP

/// This side's audio session description for one call (RFC 3264): the address and port RTP
/// is received on, the codecs offered, and the session's o= identity, whose version grows
/// with each new offer or answer (RFC 3264 §8).
public struct AudioOffer: Sendable, Equatable {
    public var address: String
    public var port: Int
    public var sessionID: UInt64
    public var version: UInt64
    public var preferences: AudioPreferences

    public init(address: String, port: Int, preferences: AudioPreferences = AudioPreferences(),
                sessionID: UInt64 = UInt64.random(in: 1...(1 << 40))) {
        self.address = address
        self.port = port
        self.preferences = preferences
        self.sessionID = sessionID
        self.version = sessionID
    }

    /// The offer: every preferred codec, telephone-events, ptime and direction.
    public var sessionDescription: SessionDescription {
        let origin = SDPOrigin(sessionID: String(sessionID), sessionVersion: version, address: SDPConnection(address: address))
        return OfferAnswer.offer(origin: origin, address: address, port: port, preferences: preferences)
    }

    public var body: [UInt8] { sessionDescription.bytes }
}
