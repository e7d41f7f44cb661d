import SDP

/// This side's audio session description for one call (RFC 3264): the address and port RTP
/// is received on, the codecs offered, and the session's o= identity, whose version grows
/// with each new offer or answer (RFC 3264 §8).
///
/// The description is built once; a new version only rewrites the o= line's number, so the
/// signaling path pays for SDP text once per call, not per message.
public struct AudioOffer: Sendable, Equatable {
    public let address: String
    public let port: Int
    public let sessionID: UInt64
    public let preferences: AudioPreferences
    /// The offer: every preferred codec, telephone-events, ptime and direction.
    public let sessionDescription: SessionDescription
    public private(set) var version: UInt64
    public private(set) var body: [UInt8]

    public init(address: String, port: Int, preferences: AudioPreferences = AudioPreferences(),
                sessionID: UInt64 = UInt64.random(in: 1...(1 << 40))) {
        self.address = address
        self.port = port
        self.preferences = preferences
        self.sessionID = sessionID
        self.version = sessionID
        let origin = SDPOrigin(sessionID: String(sessionID), sessionVersion: sessionID, address: SDPConnection(address: address))
        sessionDescription = OfferAnswer.offer(origin: origin, address: address, port: port, preferences: preferences)
        body = sessionDescription.bytes
    }

    /// The same session with the version one higher, for the next offer or answer.
    public mutating func nextVersion() {
        version += 1
        var sdp = sessionDescription
        sdp.origin.sessionVersion = version
        body = sdp.bytes
    }

    /// Answers a new offer from the far end in the same session (a re-INVITE, RFC 3264 §8):
    /// the version goes up and the answer keeps this side's address, port and codecs.
    public mutating func answer(_ theirOffer: SessionDescription) throws(NegotiationError) -> (body: [UInt8], audio: NegotiatedAudio) {
        version += 1
        let origin = SDPOrigin(sessionID: String(sessionID), sessionVersion: version, address: SDPConnection(address: address))
        let (answer, audio) = try OfferAnswer.answer(to: theirOffer, origin: origin, address: address, port: port, preferences: preferences)
        body = answer.bytes
        return (body, audio)
    }

    /// The audio a 2xx's SDP answer agreed to (RFC 3264 §7), or nil when it has none usable.
    /// Callers run this off the signaling event loop.
    public func negotiate(answer body: [UInt8]) -> NegotiatedAudio? {
        guard !body.isEmpty, let answer = try? SDPParser().parse(body) else { return nil }
        return try? OfferAnswer.accept(answer: answer, to: sessionDescription)
    }
}
