import SDP
import SIPCore

/// One INVITE session (RFC 3261 §13, §12, §14, §15) as a pure state machine, for both
/// directions: the calls sipdial places (UAC: INVITE with digest authentication §22, ring
/// timeout with CANCEL §9.1, reliable provisionals RFC 3262, forked answers §13.2.2.4) and
/// the calls it answers (UAS: the 200 resent until the ACK, §13.3.1.4). Once confirmed both
/// are the same dialog: far-end BYE, re-INVITE and UPDATE with offer/answer (RFC 3264 §8,
/// RFC 3311), glare (491, §14.1), session timers (RFC 4028), transfers (RFC 3515) and Q.850
/// reasons (RFC 3326).
///
/// Fed `Input`s with the time they happened (any monotonic origin), it returns the `Action`s
/// its driver carries out: send a request in a new client transaction, answer the request
/// being handled, arm or cancel a timer, report to the call's owner. It does no I/O and
/// reads no clock; where messages go at the transport level is the driver's business (the
/// actions name the hop a dialog's requests are for).
public struct InviteSession: Sendable {
    /// What the UAC puts on its INVITE.
    public struct Outgoing: Sendable {
        /// The Request-URI.
        public var target: SIPURI
        /// From (display name and URI; the tag is added).
        public var from: SIPAddress
        /// To; the target when nil.
        public var to: SIPAddress?
        /// Extra headers (P-Asserted-Identity, Privacy, User-Agent ...).
        public var headers: [SIPHeaderField]
        /// CANCEL when no answer came within this time.
        public var ringTimeout: Duration
        /// Session-Expires asked for (RFC 4028); nil sends no session timer request.
        public var sessionExpires: UInt32?

        public init(target: SIPURI, from: SIPAddress, to: SIPAddress? = nil, headers: [SIPHeaderField] = [],
                    ringTimeout: Duration, sessionExpires: UInt32?) {
            self.target = target
            self.from = from
            self.to = to
            self.headers = headers
            self.ringTimeout = ringTimeout
            self.sessionExpires = sessionExpires
        }
    }

    public enum Role: Sendable {
        /// sipdial places the call.
        case uac(Outgoing)
        /// sipdial answers `request`, the INVITE a peer sent, with `localTag` in To.
        case uas(request: SIPRequest, localTag: String)
    }

    public struct Configuration: Sendable {
        public var role: Role
        /// The Via this side puts on its requests (a fresh branch is added to each); a UAS
        /// gets it with `.accept`.
        public var via: Via
        /// This side's Contact.
        public var contact: SIPAddress
        /// This side's SDP: the offer of a UAC; a UAS gets its answer with `.accept`.
        public var media: AudioOffer?
        /// Allow, Accept and Supported, as the dialog-creating messages carry them.
        public var capabilities: [SIPHeaderField]
        /// Credentials for challenges (§22.2).
        public var username: String?
        public var password: String?
        /// Whether a REFER from the far end is followed (`Action.followTransfer`) or refused
        /// with 603.
        public var followsTransfers: Bool
        /// 64·T1: how long 2xx retransmissions and late forks are still taken after the end.
        public var transactionTimeout: Duration
        /// How long a transfer this side asked for may wait for its final NOTIFY.
        public var transferTimeout: Duration = .seconds(32)
        /// Media types (`image` for T.38 fax) whose offers the owner answers: a re-offer with
        /// such a stream in use is reported as `.offerReceived` and held until `.answerOffer`
        /// or `.refuseOffer`. Audio offers the session answers itself.
        public var ownerMediaTypes: Set<String> = []

        public init(role: Role, via: Via, contact: SIPAddress, media: AudioOffer?, capabilities: [SIPHeaderField],
                    followsTransfers: Bool = false, transactionTimeout: Duration = .seconds(32)) {
            self.role = role
            self.via = via
            self.contact = contact
            self.media = media
            self.capabilities = capabilities
            self.followsTransfers = followsTransfers
            self.transactionTimeout = transactionTimeout
        }
    }

    /// The timers a session arms; each is armed at most once at a time.
    public enum Timer: Int, Sendable, Hashable {
        /// The UAC gives up ringing and cancels.
        case ring
        /// This side refreshes the session (RFC 4028 §10), or retries a refresh after 491.
        case refresh
        /// The owner's re-offer is sent again after a 491 (§14.1).
        case reoffer
        /// The far end did not refresh: BYE (RFC 4028 §10).
        case expiry
        /// No final NOTIFY came for a transfer this side asked for.
        case transfer
        /// After the end, the session stops taking retransmissions (64·T1).
        case linger

        var bit: UInt8 { 1 << UInt8(rawValue) }
    }

    /// Why an in-dialog request was sent: its outcome is fed back with it.
    public enum Purpose: Sendable, Equatable {
        case prack
        case bye
        /// BYE to a fork that answered after another (§13.2.2.4).
        case forkBye
        /// Session refresh by UPDATE or re-INVITE (RFC 4028 §10).
        case refresh
        /// The owner's re-offer.
        case reoffer
        case refer
        case notify
    }

    public enum Input: Sendable, Equatable {
        /// UAC: send the INVITE.
        case start
        /// UAC: the INVITE as its client transaction sent it (with its branch): CANCEL copies it.
        indirect case inviteSent(SIPRequest)
        /// UAC: a response to the INVITE.
        indirect case inviteResponse(SIPResponse)
        /// UAC: no final response came (Timer B).
        case inviteTimedOut
        /// UAC: no destination could be reached; the text says which were tried.
        indirect case inviteUnreachable(String)
        /// UAS: answer with `media` (its body is the SDP answer), or with `ownerSDP` in its
        /// place (an owner's stream such as T.38 fax, with the session's o= identity); this
        /// side's requests carry `via`. `cancelled` says a CANCEL already ended the INVITE
        /// with 487 (§9.2), so nothing may be sent.
        indirect case accept(media: AudioOffer, via: Via, cancelled: Bool, ownerSDP: [UInt8]? = nil)
        /// A request in the dialog (it has a To tag).
        indirect case request(SIPRequest)
        /// An ACK for a 2xx this side sent.
        indirect case ack(SIPRequest)
        /// A 2xx no client transaction matched: a retransmission or another fork (§13.2.2.4).
        indirect case strayResponse(SIPResponse)
        /// An in-dialog 2xx this side sent was not acknowledged within 64·T1 (§13.3.1.4).
        case ackMissing(sequence: UInt32)
        /// A response to, or the failure of, an in-dialog request this side sent.
        indirect case requestOutcome(Purpose, request: SIPRequest, Outcome)
        case timerFired(Timer)
        /// The owner ends the call: CANCEL before an answer, BYE after it.
        case hangUp
        /// The owner offers `sdp` in a re-INVITE (RFC 3264 §8), e.g. to switch the stream to
        /// fax and back; the session sets the o= line's identity and version.
        case reoffer(sdp: [UInt8])
        /// The owner's answer to the offer it was given with `.offerReceived`.
        case answerOffer(sdp: [UInt8])
        /// The owner refuses that offer with `status` (488: nothing acceptable).
        case refuseOffer(status: Int)
        /// The owner asks the far end to call `target` instead (REFER, RFC 3515).
        indirect case transfer(to: SIPURI)
        /// The owner reports the progress of a transfer the far end asked for (RFC 3515 §2.4.4).
        indirect case reportTransfer(status: Int, reason: String)
    }

    /// The result of a client transaction.
    public enum Outcome: Sendable, Equatable {
        case response(SIPResponse)
        case timedOut
        case transportFailed
    }

    /// The cases that carry messages are `indirect`: an action or input is then a pointer
    /// wide, and moving it through the driver's arrays copies no message.
    public enum Action: Sendable, Equatable {
        /// Send the (initial or retried) INVITE in a new client transaction to the call's
        /// destinations; its sending is fed back as `.inviteSent`, its responses as
        /// `.inviteResponse`.
        indirect case sendInvite(SIPRequest)
        /// Send CANCEL to where the INVITE went (§9.1).
        indirect case sendCancel(SIPRequest)
        /// Send an in-dialog request in a new client transaction to the dialog whose next hop
        /// is `hop` (§12.2.1.1); its outcome is fed back with `purpose`.
        indirect case send(SIPRequest, hop: SIPURI, purpose: Purpose)
        /// Send an ACK for a 2xx, statelessly (§13.2.2.4).
        indirect case sendAck(SIPRequest, hop: SIPURI)
        /// Answer a request the session was fed (the one whose CSeq the response carries).
        indirect case respond(SIPResponse)
        /// Answer an INVITE (the UAS's own, or a re-INVITE) with a 2xx, resent until its ACK
        /// (§13.3.1.4).
        indirect case respondUntilAcknowledged(SIPResponse)
        /// The 2xx of CSeq `sequence` need not be resent any more.
        case stopResending(sequence: UInt32)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        /// Tell the call's owner.
        indirect case report(CallEvent)
        /// The far end asked for a transfer to `target` (RFC 3515 §2.4): the owner places that
        /// call and reports its progress with `.reportTransfer`.
        indirect case followTransfer(SIPURI)
        /// The session is over and takes no more messages: forget it.
        case release
    }

    enum Phase: Equatable { case idle, calling, confirmed, ended }

    public let configuration: Configuration
    /// Whether this side placed the call.
    let isUAC: Bool
    public let callID: String
    public let localTag: String
    var phase = Phase.idle
    var result: CallResult
    var started: Duration?
    var authenticator: SIPAuthenticator?
    /// This side's SDP; its version grows with each new answer or offer.
    var media: AudioOffer?
    var via: Via
    var dialog: SIPDialog?
    /// The UAC's INVITE as last sent and what it has heard so far.
    var setup = Setup()
    /// The ACK of the 2xx that confirmed the UAC's dialog, resent for its retransmissions.
    var ack: SIPRequest?
    var sessionTimer: SessionTimer?
    /// An offer of this side (refresh or re-offer) is waiting for its answer.
    var offerPending = false
    /// The owner's re-offer, kept to be sent again after a 491.
    var reofferToRetry: [UInt8]?
    /// The far end's offer the owner is answering (its re-INVITE or UPDATE).
    var heldOffer: SIPRequest?
    /// The session as the owner last set it (an answer or re-offer of its own), which
    /// refreshes repeat; nil while the session's own audio description is in use.
    var ownerSDP: SessionDescription?
    /// The far end listed UPDATE in Allow on its 2xx (RFC 3311).
    var peerAllowsUpdate = false
    /// CSeq numbers of in-dialog 2xx responses resent until their ACK.
    var unacknowledged: Set<UInt32> = []
    /// A transfer (REFER) this side asked for waits for its final NOTIFY.
    var transferPending = false
    /// A transfer the far end asked for is being followed.
    var transferFollowing = false
    /// The timers armed now, a bit each.
    var armed: UInt8 = 0
    /// A value in [0, 1) for the 491 back-off (injected so tests are exact).
    let random: @Sendable () -> Double

    /// What the UAC learns while its INVITE is pending.
    struct Setup {
        var invite: SIPRequest?
        var gotProvisional = false
        /// Why this side wants the call gone before an answer: CANCEL once a provisional came.
        var cancelReason: Q850Cause?
        var cancelSent = false
        /// RSeq of the last reliable provisional acknowledged, per early dialog (RFC 3262 §4).
        var lastRSeq: [String: UInt32] = [:]
        var earlyDialogs: [String: SIPDialog] = [:]
        /// Whether `.earlyMedia` was reported (once: the first SDP answer sets the audio).
        var earlyMediaReported = false
    }

    public init(configuration: Configuration, callID: String = SIPIdentifiers.callID(), localTag: String = SIPIdentifiers.tag(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        self.random = random
        if case .uac = configuration.role { isUAC = true } else { isUAC = false }
        self.media = configuration.media
        self.via = configuration.via
        switch configuration.role {
        case .uac:
            self.callID = callID
            self.localTag = localTag
            result = CallResult(outcome: .unreachable("not started"))
        case .uas(let request, let tag):
            self.callID = request.headers[.callID] ?? callID
            self.localTag = tag
            result = CallResult(outcome: .answered)
        }
        if let user = configuration.username, let password = configuration.password {
            authenticator = SIPAuthenticator(username: user, password: password)
        }
    }

    /// Feeds one input that happened at `now`; returns what to do, in order.
    public mutating func handle(_ input: Input, at now: Duration) -> [Action] {
        var out: [Action] = []
        handle(input, at: now, into: &out)
        return out
    }

    /// The same, appending the actions to `out` (a driver reuses one buffer).
    public mutating func handle(_ input: Input, at now: Duration, into out: inout [Action]) {
        guard fitsRole(input) else {
            // A driver bug, not something the network can cause: stop loudly in debug.
            assertionFailure("\(input) is not an input of this session's role")
            return
        }
        switch input {
        case .start: start(at: now, &out)
        case .inviteSent(let request): setup.invite = request
        case .inviteResponse(let r): inviteResponse(r, at: now, &out)
        case .inviteTimedOut:
            let outcome: CallOutcome = setup.cancelSent ? outcomeOfCancel : .unreachable("no response to the INVITE (Timer B)")
            end(outcome: outcome, code: nil, at: now, &out)
        case .inviteUnreachable(let why): end(outcome: .unreachable(why), code: nil, at: now, &out)
        case .accept(let answer, let via, let cancelled, let ownerSDP):
            self.via = via
            accept(answer, ownerSDP: ownerSDP, cancelled: cancelled, at: now, &out)
        case .request(let r): receive(r, at: now, &out)
        case .ack(let ack):
            if let number = (try? ack.headers.cseq())?.sequence, unacknowledged.remove(number) != nil {
                out.append(.stopResending(sequence: number))
            }
        case .strayResponse(let r): strayResponse(r, at: now, &out)
        case .ackMissing(let number):
            unacknowledged.remove(number)
            if result.reason == nil { result.reason = "no ACK for the 2xx" }
            bye(reason: Q850Cause(41, text: "No ACK for the 2xx"), at: now, &out)
        case .requestOutcome(let purpose, let request, let outcome): requestOutcome(purpose, request, outcome, at: now, &out)
        case .timerFired(let timer): timerFired(timer, at: now, &out)
        case .hangUp: hangUp(at: now, &out)
        case .reoffer(let sdp): reoffer(sdp, &out)
        case .answerOffer(let sdp): answerHeldOffer(sdp, &out)
        case .refuseOffer(let status): refuseHeldOffer(status: status, &out)
        case .transfer(let target): transfer(to: target, at: now, &out)
        case .reportTransfer(let status, let reason): notifyTransfer(status: status, reason: reason, &out)
        }
    }

    /// The INVITE's inputs belong to the UAC, `.accept` to the UAS; the rest to both.
    private func fitsRole(_ input: Input) -> Bool {
        switch input {
        case .start, .inviteSent, .inviteResponse, .inviteTimedOut, .inviteUnreachable: return isUAC && media != nil
        case .accept: return !isUAC
        case .request, .ack, .strayResponse, .ackMissing, .requestOutcome, .timerFired, .hangUp, .transfer, .reportTransfer,
             .reoffer, .answerOffer, .refuseOffer:
            return true
        }
    }

    private mutating func timerFired(_ timer: Timer, at now: Duration, _ out: inout [Action]) {
        guard disarmed(timer) else { return }
        switch timer {
        case .ring: cancel(.noAnswer, &out)
        case .refresh: refreshSession(&out)
        case .reoffer: if let sdp = reofferToRetry { reoffer(sdp, &out) }
        case .expiry: bye(reason: Q850Cause(102, text: "Session timer expired"), at: now, &out)
        case .transfer: transferEnded(code: nil, at: now, &out)
        case .linger: out.append(.release)
        }
    }

    private mutating func hangUp(at now: Duration, _ out: inout [Action]) {
        switch phase {
        case .idle:
            // A UAS that was never accepted has nothing to end: its owner answers the INVITE.
            guard case .uac = configuration.role else { return }
            finish(CallResult(outcome: .cancelled), at: now, &out)
        case .calling: cancel(.normalUnspecified, &out)
        case .confirmed: bye(reason: .normalClearing, at: now, &out)
        case .ended: break
        }
    }

    // MARK: Timers and the end

    mutating func arm(_ timer: Timer, after delay: Duration, _ out: inout [Action]) {
        if armed & timer.bit != 0 { out.append(.cancelTimer(timer)) }
        armed |= timer.bit
        out.append(.startTimer(timer, after: delay))
    }

    /// Takes `timer` off the armed set; whether it was on it.
    private mutating func disarmed(_ timer: Timer) -> Bool {
        defer { armed &= ~timer.bit }
        return armed & timer.bit != 0
    }

    mutating func disarm(_ timer: Timer, _ out: inout [Action]) {
        if disarmed(timer) { out.append(.cancelTimer(timer)) }
    }

    func elapsed(_ now: Duration) -> Double {
        guard let started else { return 0 }
        let d = (now - started).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }

    func freshVia() -> Via {
        var via = via
        via.parameters.removeAll { $0.name.lowercased() == "branch" }
        via.parameters.append(SIPParameter("branch", SIPIdentifiers.branch()))
        return via
    }

    mutating func end(outcome: CallOutcome, code: Int?, reason: String? = nil, at now: Duration, _ out: inout [Action]) {
        guard phase != .ended else { return }
        result.outcome = outcome
        if let code { result.sipCode = code }
        if let reason { result.reason = reason }
        if case .rejected(_, let why) = outcome, result.reason == nil { result.reason = why }
        if case .unreachable(let why) = outcome { result.reason = why }
        finish(result, at: now, &out)
    }

    /// Reports the end; 2xx retransmissions and late forks are still taken for 64·T1
    /// (§13.2.2.4), then `.release`.
    mutating func finish(_ final: CallResult, at now: Duration, _ out: inout [Action]) {
        guard phase != .ended else { return }
        phase = .ended
        for timer in [Timer.ring, .refresh, .reoffer, .expiry, .transfer] { disarm(timer, &out) }
        transferPending = false
        reofferToRetry = nil
        if let held = heldOffer {
            heldOffer = nil
            out.append(.respond(Self.response(to: held, status: 487)))
        }
        for number in unacknowledged.sorted() { out.append(.stopResending(sequence: number)) }
        unacknowledged = []
        var r = final
        r.ended = elapsed(now)
        result = r
        arm(.linger, after: configuration.transactionTimeout, &out)
        out.append(.report(.ended(r)))
    }
}
