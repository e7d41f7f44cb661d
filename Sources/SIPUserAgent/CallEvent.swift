import SDP

/// What a call session reports to its owner, the same for calls sipdial places (UAC) and
/// calls it answers (UAS), so a flow runs on either.
public enum CallEvent: Sendable, Equatable {
    /// A provisional response (180, 183 ...).
    case progress(Int)
    /// The first provisional with an SDP answer (183 Session Progress, RFC 3261 §13.2.1):
    /// the far end sends audio before the answer (announcements, ringback of its own).
    case earlyMedia(sdp: [UInt8])
    /// The call is up: for a call sipdial placed, the 2xx arrived and was acknowledged and its
    /// body is the SDP answer, which `AudioOffer.negotiate(answer:)` reads (RFC 3264 §7) away
    /// from the signaling loop; for a call sipdial answered, its 200 left with this SDP.
    case answered(sdp: [UInt8])
    /// A re-INVITE or UPDATE from the far end changed the audio (address, codec, hold or
    /// resume).
    case mediaChanged(NegotiatedAudio)
    /// The far end offers a stream of a type the owner answers (`ownerMediaTypes`, e.g. a
    /// switch to T.38 fax): the owner answers it with `answerOffer` or refuses it.
    case offerReceived(sdp: [UInt8])
    /// The owner's re-offer was accepted; the body is the far end's answer.
    case offerAnswered(sdp: [UInt8])
    /// The owner's re-offer was refused with `status`; the session is as it was.
    case offerRefused(status: Int)
    case ended(CallResult)
}
