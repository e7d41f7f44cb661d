import Fax
import Media
import NIOCore
import SDP
import SIPUserAgent

/// One fax on one call, placed or answered: the thin driver of a `FaxSwitch`. It runs the
/// fax over the call's G.711 audio (spandsp's modems in an `AudioFaxPort` on the RTP
/// stream), and moves it to T.38 (`T38FaxPort`, UDPTL on a socket of its own) when the
/// machine says so: it offers `m=image` in a re-INVITE, answers the far end's offer, or
/// refuses it, through the call's `SessionOffers`. The result is the terminal's that ran last
/// (T.30 phase E, or a dropped call's code at the end).
///
/// Its owner feeds it from one task: `answered` with the negotiated audio, the call's offer
/// events, and the `Report`s the media loops hand to `report` (far-end tones, results).
public final class FaxCall {
    public struct Setup: Sendable {
        public var calling: Bool
        public var role: FaxRole
        public var settings: FaxSettings
        public var mode: FaxSwitch.Mode
        /// The address this side's media binds to and puts in its SDP.
        public var host: String
        public var ports: RTPPortAllocator
        /// A pcap file the T.38 stream's datagrams are written to, when the fax moves to T.38.
        public var capture: String?

        public init(calling: Bool, role: FaxRole, settings: FaxSettings, mode: FaxSwitch.Mode, host: String, ports: RTPPortAllocator) {
            (self.calling, self.role, self.settings, self.mode, self.host, self.ports) = (calling, role, settings, mode, host, ports)
        }
    }

    /// What the media loops report, handed back to `handle(_:)` by the owner.
    public enum Report: Sendable {
        case faxToneHeard
        case finished(FaxResult)
    }

    private let setup: Setup
    private let media: CallMedia
    private let offers: SessionOffers
    private let group: EventLoopGroup
    private let report: @Sendable (Report) -> Void
    private let onTimeout: @Sendable () -> Void
    private var machine: FaxSwitch
    private var audio: AudioFaxPort?
    private var t38: T38FaxPort?
    /// This side's `m=image` answer, repeated to a refresh.
    private var imageAnswer: [UInt8]?
    /// The result of the terminal running now, once T.30 phase E gave it.
    private var result: FaxResult?

    /// `media` is the call's prepared audio; `report` carries the media loops' reports back to
    /// the owner; `onTimeout` runs when the audio stops arriving (the call is gone).
    public init(_ setup: Setup, media: CallMedia, offers: SessionOffers, group: EventLoopGroup,
                report: @escaping @Sendable (Report) -> Void, onTimeout: @escaping @Sendable () -> Void) {
        (self.setup, self.media, self.offers, self.group, self.report, self.onTimeout) = (setup, media, offers, group, report, onTimeout)
        machine = FaxSwitch(mode: setup.mode, calling: setup.calling)
    }

    /// Whether the fax runs over T.38 now.
    public var onT38: Bool { machine.transport == .t38 }

    /// The call is up with `negotiated` audio.
    public func answered(_ negotiated: NegotiatedAudio) throws {
        try perform(machine.handle(.answered), audio: negotiated)
    }

    /// This side's answer to an INVITE that offers T.38 without usable audio (T.38 Annex D,
    /// RFC 3264 §6), the T.38 port bound for it, and the stream it agrees; nil when the offer
    /// has no usable T.38 or the mode is `audio` (`end()` releases the port). Answer with it,
    /// then `answered(onT38:)`.
    public func answerT38Offer(_ offer: SessionDescription) throws -> (sdp: [UInt8], stream: T38Stream)? {
        guard setup.mode != .audio,
              let (answer, stream) = T38Negotiation.answer(offer, host: setup.host, port: try boundT38().localPort) else { return nil }
        imageAnswer = answer.bytes
        return (answer.bytes, stream)
    }

    /// The call is up on T.38 from the start, toward `stream`.
    public func answered(onT38 stream: T38Stream) throws {
        try perform(machine.handle(.answeredOnT38), stream: stream)
    }

    /// An offer event of the call (the others are not the fax's).
    public func handle(_ event: CallEvent) throws {
        switch event {
        case .offerReceived(let sdp):
            guard let offer = try? SDPParser().parse(sdp) else { return offers.refuse(status: 488) }
            try perform(machine.handle(.offerReceived), offer: offer)
        case .offerAnswered(let sdp):
            guard let answer = try? SDPParser().parse(sdp), let stream = T38Negotiation.stream(answer: answer) else {
                // Accepted with the image stream declined: as good as a refusal.
                return try perform(machine.handle(.offerRefused(status: 488)))
            }
            try perform(machine.handle(.offerAnswered), stream: stream)
        case .offerRefused(let status):
            try perform(machine.handle(.offerRefused(status: status)))
        default:
            return
        }
    }

    /// A media loop's report; the fax's result once it is final (from the terminal running now).
    public func handle(_ report: Report) throws -> FaxResult? {
        switch report {
        case .faxToneHeard:
            try perform(machine.handle(.faxToneHeard))
            return nil
        case .finished(let finished):
            // A result of the audio terminal a switch to T.38 left behind does not count.
            guard (finished.transport == "t38") == onT38 else { return nil }
            result = finished
            return finished
        }
    }

    /// The call ended: the media stop and the result is final (a fax cut short gets T.30's code
    /// for a dropped call).
    public func end() async -> FaxResult? {
        _ = try? await media.finish()
        // The T.38 port is closed whether or not the fax moved there (an offer may be out).
        let t38Result = try? await t38?.stop().get()
        if result == nil {
            if onT38 {
                result = t38Result
            } else if let audio {
                audio.terminal.callEnded()
                result = audio.terminal.result
            }
        }
        return result
    }

    private func perform(_ actions: [FaxSwitch.Action], audio negotiated: NegotiatedAudio? = nil, offer: SessionDescription? = nil,
                         stream: T38Stream? = nil) throws {
        for action in actions {
            switch action {
            case .startAudio:
                guard let negotiated else { continue }
                try startAudio(negotiated)
            case .offerT38:
                offers.offer(T38Negotiation.offer(host: setup.host, port: try boundT38().localPort).bytes)
            case .acceptT38:
                guard let offer, let (answer, stream) = T38Negotiation.answer(offer, host: setup.host, port: try boundT38().localPort) else {
                    offers.refuse(status: 488)
                    continue
                }
                imageAnswer = answer.bytes
                offers.answer(answer.bytes)
                try startT38(stream)
            case .reanswerT38:
                if let imageAnswer { offers.answer(imageAnswer) } else { offers.refuse(status: 488) }
            case .refuseT38(let status):
                offers.refuse(status: status)
            case .startT38:
                guard let stream else { continue }
                try startT38(stream)
            case .stayOnAudio:
                _ = t38?.stop()
                t38 = nil
            }
        }
    }

    private func startAudio(_ negotiated: NegotiatedAudio) throws {
        try media.start(negotiated, onTimeout: onTimeout, onDigit: { _ in })
        let report = report
        let listens = setup.mode == .auto && !setup.calling
        let port = AudioFaxPort(AudioFaxTerminal(calling: setup.calling, role: setup.role, settings: setup.settings),
                                onFarEndTone: listens ? { report(.faxToneHeard) } : nil) { report(.finished($0)) }
        audio = port
        media.stream.play(port)
        media.stream.setSink(port)
    }

    /// The T.38 port, bound on first use (its port goes into the offer or answer).
    private func boundT38() throws -> T38FaxPort {
        if let t38 { return t38 }
        let port = try T38FaxPort(host: setup.host, ports: setup.ports, group: group)
        t38 = port
        return port
    }

    /// The audio stops (the far end sends no more RTP; its terminal is dropped, its T.30
    /// unfinished) and a T.38 terminal starts over toward `stream`.
    private func startT38(_ stream: T38Stream) throws {
        media.stream.play(nil)
        media.stream.setSink(nil)
        Task { [media] in _ = try? await media.finish() }
        let report = report
        try boundT38().start(stream, calling: setup.calling, role: setup.role, settings: setup.settings, capture: setup.capture) { report(.finished($0)) }
    }
}
