/// Which transport a fax call runs on and when it moves from the call's G.711 audio to T.38
/// (ITU-T T.38 Annex D, RFC 3362, offer/answer in the dialog per RFC 3264 §8). A pure state
/// machine: the driver feeds it what the call and the audio did and carries out its actions
/// (re-INVITEs, answers, starting and stopping the terminals).
///
/// - Every fax starts on audio as the call is answered, so a far end that never moves hears
///   a fax machine at once (CNG from the caller, CED from the answerer).
/// - `t38`: this side asks for T.38 (a re-INVITE with `m=image`) as soon as the call is up.
/// - `auto`: the answering side asks when it hears the caller's fax tones (CNG or a V.21
///   preamble), the way a gateway does; the calling side waits for the far end to ask.
/// - `audio`: never T.38; the far end's T.38 offers are refused with 488.
/// - A refusal of this side's offer (488, 415, 606 …) keeps the fax on audio; glare (491) is
///   retried by the session itself (RFC 3261 §14.1) and does not come here.
/// - An offer that keeps `m=image` while on T.38 (a session refresh) is answered with the same
///   stream; the fax goes on undisturbed.
public struct FaxSwitch: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case t38, audio, auto
    }

    public enum Transport: Sendable, Equatable {
        /// The call is not up yet.
        case idle
        case audio
        /// This side's T.38 offer is out; the fax goes on over audio meanwhile.
        case offering
        case t38
    }

    public enum Event: Sendable, Equatable {
        /// The call is up with audio.
        case answered
        /// The call is up on T.38 from the start (its INVITE offered T.38 and no usable audio).
        case answeredOnT38
        /// The far end's fax tones were heard on the audio (CNG, CED or a V.21 preamble).
        case faxToneHeard
        /// The far end offers T.38 (`m=image … udptl t38`).
        case offerReceived
        /// The far end accepted this side's T.38 offer.
        case offerAnswered
        /// The far end refused this side's T.38 offer with `status`.
        case offerRefused(status: Int)
    }

    public enum Action: Sendable, Equatable {
        /// Run the fax over the call's audio.
        case startAudio
        /// Offer T.38 in a re-INVITE.
        case offerT38
        /// Answer the far end's offer with this side's `m=image` and move the fax to T.38
        /// (the audio terminal stops, a T.38 terminal starts over with T.30).
        case acceptT38
        /// Answer the far end's offer with the T.38 stream already running (a refresh).
        case reanswerT38
        /// Refuse the far end's offer with `status`; the fax stays where it is.
        case refuseT38(status: Int)
        /// The far end accepted: move the fax to T.38.
        case startT38
        /// This side's offer was refused with `status`: the fax stays on audio.
        case stayOnAudio(status: Int)
    }

    public let mode: Mode
    /// Whether this side placed the call (the fax sender's usual place).
    public let calling: Bool
    public private(set) var transport = Transport.idle

    public init(mode: Mode, calling: Bool) {
        (self.mode, self.calling) = (mode, calling)
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch (event, transport) {
        case (.answered, .idle):
            transport = .audio
            return mode == .t38 ? [.startAudio] + offer() : [.startAudio]
        case (.answeredOnT38, .idle) where mode != .audio:
            transport = .t38
            return [.startT38]
        case (.faxToneHeard, .audio) where mode == .auto && !calling:
            return offer()
        case (.offerReceived, _) where mode == .audio:
            return [.refuseT38(status: 488)]
        case (.offerReceived, .t38):
            return [.reanswerT38]
        case (.offerReceived, .audio), (.offerReceived, .offering):
            transport = .t38
            return [.acceptT38]
        case (.offerAnswered, .offering):
            transport = .t38
            return [.startT38]
        case (.offerRefused(let status), .offering):
            transport = .audio
            return [.stayOnAudio(status: status)]
        default:
            return []
        }
    }

    /// Asks for T.38 once per call: a refusal is final.
    private var offered = false

    private mutating func offer() -> [Action] {
        guard !offered else { return [] }
        offered = true
        transport = .offering
        return [.offerT38]
    }
}
