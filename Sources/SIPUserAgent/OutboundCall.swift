import NIOCore
import SDP
import SIPCore
import SIPTransaction
import SIPTransport

/// One outbound call: the UAC side of an INVITE session (RFC 3261 §13.2, §12) with digest
/// authentication (§22), ring timeout with CANCEL (§9.1), reliable provisional responses
/// (RFC 3262), forked answers (§13.2.2.4), session timers (RFC 4028) and Q.850 reasons
/// (RFC 3326). It runs on the transaction layer's event loop; its state is confined there.
///
/// The in-dialog half (requests from the far end, BYE, refreshes) is in
/// OutboundCall+Dialog.swift.
public final class OutboundCall: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The Request-URI of the INVITE.
        public var target: SIPURI
        /// From (display name and URI; the tag is added).
        public var from: SIPAddress
        /// To; the target when nil.
        public var to: SIPAddress?
        /// This side's Contact.
        public var contact: SIPURI
        /// The Via this side puts on its requests (a fresh branch is added to each).
        public var via: Via
        /// Where the INVITE goes (the outbound proxy or the target, resolved per RFC 3263).
        public var destinations: [SIPDestination]
        public var transport: SIPTransportType
        public var username: String?
        public var password: String?
        /// CANCEL when no answer came within this time.
        public var ringTimeout: Duration
        /// Extra headers on the INVITE (P-Asserted-Identity, Privacy, User-Agent ...).
        public var headers: [SIPHeaderField]
        public var offer: AudioOffer
        /// Session-Expires asked for (RFC 4028); nil sends no session timer request.
        public var sessionExpires: UInt32?
        /// Called with the Refer-To target when the far end transfers the call (REFER); the
        /// owner places that call and reports its progress with `reportTransfer`. Nil refuses
        /// transfers with 603.
        public var onTransferRequest: (@Sendable (SIPURI) -> Void)?

        public init(target: SIPURI, from: SIPAddress, contact: SIPURI, via: Via, destinations: [SIPDestination],
                    transport: SIPTransportType, offer: AudioOffer, ringTimeout: Duration = .seconds(60)) {
            self.target = target
            self.from = from
            self.contact = contact
            self.via = via
            self.destinations = destinations
            self.transport = transport
            self.offer = offer
            self.ringTimeout = ringTimeout
            self.headers = []
            self.sessionExpires = 1800
        }
    }

    public enum Event: Sendable, Equatable {
        /// A provisional response (180, 183 ...).
        case progress(Int)
        /// The first provisional with an SDP answer (183 Session Progress, RFC 3261 §13.2.1):
        /// the far end sends audio before the answer (announcements, ringback of its own).
        case earlyMedia(sdp: [UInt8])
        /// The 2xx arrived and was acknowledged; its body is the SDP answer, which
        /// `AudioOffer.negotiate(answer:)` reads (RFC 3264 §7) away from the signaling loop.
        case answered(sdp: [UInt8])
        /// A re-INVITE from the far end changed the audio (address, codec, hold or resume).
        case mediaChanged(NegotiatedAudio)
        case ended(CallResult)
    }

    enum Phase { case idle, calling, confirmed, ended }

    let config: Configuration
    let dispatcher: SIPSessionDispatcher
    let resolver: SIPTargetResolver
    let onEvent: @Sendable (Event) -> Void
    var transactions: SIPTransactionLayer { dispatcher.transactions }
    var eventLoop: EventLoop { transactions.eventLoop }

    public let callID = SIPIdentifiers.callID()
    let localTag = SIPIdentifiers.tag()
    var phase = Phase.idle
    var result = CallResult(outcome: .unreachable("not started"))
    var started = NIODeadline.now()
    var authenticator: SIPAuthenticator?
    /// The INVITE as last sent (with its branch) and where it went: CANCEL copies both.
    var invite: SIPRequest?
    var inviteDestination: SIPDestination?
    var gotProvisional = false
    /// Why this side wants the call gone before an answer: CANCEL once a provisional came.
    var cancelReason: Q850Cause?
    var cancelSent = false
    var ringTimer: TimerWheel.Timer?
    /// RSeq of the last reliable provisional acknowledged, per early dialog (RFC 3262 §4).
    var lastRSeq: [String: UInt32] = [:]
    var earlyDialogs: [String: SIPDialog] = [:]
    /// Whether `.earlyMedia` was sent (once per call: the first SDP answer sets the audio).
    var earlyMediaReported = false
    var dialog: SIPDialog?
    /// Where in-dialog requests go (the resolved next hop).
    var dialogDestination: SIPDestination?
    var ack: SIPRequest?
    var sessionTimer: SessionTimer?
    /// A refresh (UPDATE or re-INVITE) of this side is waiting for its answer.
    var refreshPending = false
    /// The far end listed UPDATE in Allow on its 2xx (RFC 3311).
    var peerAllowsUpdate = false
    /// This side's SDP; its version grows with each new answer or offer.
    var offer: AudioOffer
    var sessionTimerTask: Scheduled<Void>?
    /// A transfer (REFER) is waiting for its final NOTIFY.
    var transferTimer: Scheduled<Void>?
    /// A transfer the far end asked for is being followed.
    var transferFollowing = false
    lazy var reInviteAnswers = SuccessRetransmitter<UInt32>(transactions: transactions)

    public init(configuration: Configuration, dispatcher: SIPSessionDispatcher, resolver: SIPTargetResolver,
                onEvent: @escaping @Sendable (Event) -> Void) {
        self.config = configuration
        self.dispatcher = dispatcher
        self.resolver = resolver
        self.onEvent = onEvent
        self.offer = configuration.offer
        if let user = configuration.username, let password = configuration.password {
            authenticator = SIPAuthenticator(username: user, password: password)
        }
    }

    /// Sends the INVITE.
    public func start() {
        eventLoop.execute { [self] in
            guard phase == .idle else { return }
            phase = .calling
            started = .now()
            dispatcher.add(self, callID: callID)
            send(initialInvite())
            ringTimer = transactions.timerWheel.schedule(in: config.ringTimeout.timeAmount) { [weak self] in
                self?.cancel(.noAnswer)
            }
        }
    }

    /// Ends the call: CANCEL before an answer, BYE after it.
    public func hangUp() {
        eventLoop.execute { [self] in
            switch phase {
            case .idle: finish(CallResult(outcome: .cancelled))
            case .calling: cancel(.normalUnspecified)
            case .confirmed: bye(reason: .normalClearing)
            case .ended: break
            }
        }
    }

    func elapsed() -> Double {
        Double((NIODeadline.now() - started).nanoseconds) / 1e9
    }

    func freshVia() -> Via {
        var via = config.via
        via.parameters.removeAll { $0.name.lowercased() == "branch" }
        via.parameters.append(SIPParameter("branch", SIPIdentifiers.branch()))
        return via
    }

    var contactAddress: SIPAddress { SIPAddress(uri: config.contact) }

    // MARK: INVITE

    private func initialInvite() -> SIPRequest {
        var from = config.from
        from.parameters.append(SIPParameter("tag", localTag))
        var extra = config.headers
        extra += dispatcher.capabilities.filter { $0.name == .allow }
        extra.append(SIPHeaderField(.supported, "100rel, timer"))
        if let se = config.sessionExpires {
            extra.append(SIPHeaderField(.sessionExpires, String(se)))
        }
        return SIPRequestFactory.request(method: .invite, uri: config.target, via: freshVia(), from: from,
                                         to: config.to ?? SIPAddress(uri: config.target), callID: callID, cseq: 1,
                                         contact: contactAddress, headers: extra, contentType: "application/sdp", body: config.offer.body)
    }

    private func send(_ request: SIPRequest) {
        transactions.sendRequest(request, trying: config.destinations, onAttempt: { [weak self] sent, destination in
            self?.invite = sent
            self?.inviteDestination = destination
        }, handler: { [weak self] event in
            self?.inviteEvent(event)
        })
    }

    private func inviteEvent(_ event: SIPClientTransactionEvent) {
        switch event {
        case .response(let r) where r.isProvisional: provisional(r)
        case .response(let r) where r.isSuccess: inviteAnswered(r)
        case .response(let r): failure(r)
        case .timedOut:
            end(outcome: cancelSent ? outcomeOfCancel() : .unreachable("no response to the INVITE (Timer B)"), code: nil)
        case .transportFailed:
            end(outcome: .unreachable("cannot reach \(config.destinations.map(\.description).joined(separator: ", "))"), code: nil)
        }
    }

    private func provisional(_ r: SIPResponse) {
        guard phase == .calling else { return }
        if result.firstResponse == nil { result.firstResponse = elapsed() }
        if result.ringing == nil, r.statusCode == 180 || r.statusCode == 183 { result.ringing = elapsed() }
        if r.statusCode > 100, !isRetransmittedReliable(r) {
            result.provisionals.append(r.statusCode)
            onEvent(.progress(r.statusCode))
            if !r.body.isEmpty, !earlyMediaReported {
                earlyMediaReported = true
                onEvent(.earlyMedia(sdp: r.body))
            }
        }
        gotProvisional = true
        if let invite, let tag = (try? r.headers.to())??.tag, r.statusCode > 100, earlyDialogs[tag] == nil {
            earlyDialogs[tag] = SIPDialog(request: invite, response: r)
        }
        if isReliable(r) { prack(r) }
        if cancelReason != nil { sendCancel() }
    }

    /// A provisional response sent reliably (RFC 3262 §4): Require: 100rel and an RSeq.
    private func isReliable(_ r: SIPResponse) -> Bool {
        r.headers.tokens(.require).contains { $0.caseInsensitiveEquals("100rel") } && (try? r.headers.rseq()) != nil
    }

    private func isRetransmittedReliable(_ r: SIPResponse) -> Bool {
        guard isReliable(r), let tag = (try? r.headers.to())??.tag, let rseq = (try? r.headers.rseq()) ?? nil,
              let last = lastRSeq[tag] else { return false }
        return rseq <= last
    }

    /// PRACK for a reliable provisional, once per RSeq, in its early dialog (RFC 3262 §7.2).
    private func prack(_ r: SIPResponse) {
        guard let tag = (try? r.headers.to())??.tag, let rseq = (try? r.headers.rseq()) ?? nil,
              let cseq = try? r.headers.cseq(), var early = earlyDialogs[tag] else { return }
        if let last = lastRSeq[tag], rseq <= last { return }
        lastRSeq[tag] = rseq
        early.refreshTarget(from: r.headers)
        let request = early.request(.prack, via: freshVia(), headers: [SIPHeaderField(.rack, RAck(responseNumber: rseq, cseq: cseq).description)])
        earlyDialogs[tag] = early
        nextHop(of: early) { [weak self] destination in
            self?.transactions.sendRequest(request, to: destination) { _ in }
        }
    }

    func inviteAnswered(_ r: SIPResponse) {
        guard let tag = (try? r.headers.to())??.tag, let invite else { return }
        if let dialog, dialog.id.remoteTag == tag {
            // §13.2.2.4: every retransmission of the 2xx gets the same ACK.
            if let ack, let dialogDestination { _ = transactions.sendStateless(.request(ack), to: dialogDestination) }
            return
        }
        guard var accepted = SIPDialog(request: invite, response: r) else {
            end(outcome: .rejected(code: r.statusCode, reason: "2xx without Contact or To tag"), code: r.statusCode)
            return
        }
        if dialog != nil || phase != .calling {
            // Another fork answered too: confirm it with ACK, then end it with BYE (§13.2.2.4).
            var fork = accepted
            let forkAck = fork.request(.ack, via: freshVia(), sequence: fork.localSequence)
            let bye = fork.request(.bye, via: freshVia(), headers: [Q850Cause.normalClearing.header])
            nextHop(of: fork) { [weak self] destination in
                guard let self else { return }
                _ = self.transactions.sendStateless(.request(forkAck), to: destination)
                self.transactions.sendRequest(bye, to: destination) { _ in }
            }
            return
        }
        ringTimer?.cancel()
        accepted.confirm(by: r)
        let ack = accepted.request(.ack, via: freshVia(), sequence: accepted.localSequence)
        dialog = accepted
        phase = .confirmed
        result.answered = elapsed()
        result.sipCode = r.statusCode
        result.reason = r.reasonPhrase
        result.outcome = .answered
        peerAllowsUpdate = r.headers.tokens(.allow).contains { $0.caseInsensitiveEquals("UPDATE") }
        self.ack = ack
        nextHop(of: accepted) { [weak self] destination in
            guard let self else { return }
            self.dialogDestination = destination
            _ = self.transactions.sendStateless(.request(ack), to: destination)
            if let reason = self.cancelReason {
                // The answer crossed our CANCEL: the call is up, so it ends with BYE (§9.1).
                self.bye(reason: reason)
            } else {
                self.onEvent(.answered(sdp: r.body))
                self.startSessionTimer(SessionTimer(answeredBy: r))
            }
        }
    }

    private func failure(_ r: SIPResponse) {
        guard phase == .calling else { return }
        if r.statusCode == 401 || r.statusCode == 407, var auth = authenticator, let invite {
            switch auth.handle(r, to: invite) {
            case .retry(let retry):
                authenticator = auth
                send(retry)
                return
            case .failed(let why):
                authenticator = auth
                result.q850 = Q850Cause(r.headers)
                end(outcome: .rejected(code: r.statusCode, reason: why), code: r.statusCode, reason: why)
                return
            }
        }
        if r.statusCode == 422, let invite, let minSE = (try? r.headers.minSE()) ?? nil, let value = UInt32(minSE.value),
           let current = config.sessionExpires, value > current, (try? invite.headers.cseq())?.sequence ?? 0 < 5 {
            // RFC 4028 §7.4: retry with the far end's Min-SE.
            var retry = invite
            retry.headers.set(.sessionExpires, String(value))
            retry.headers.set(.minSE, String(value))
            if let cseq = try? invite.headers.cseq() { retry.headers.set(.cseq, CSeq(cseq.sequence + 1, .invite).description) }
            send(retry)
            return
        }
        result.q850 = Q850Cause(r.headers)
        let outcome: CallOutcome = r.statusCode == 487 && cancelSent ? outcomeOfCancel() : CallOutcome(failure: r)
        end(outcome: outcome, code: r.statusCode, reason: r.reasonPhrase)
    }

    // MARK: CANCEL

    /// Cancels the INVITE (§9.1): at once when a provisional came, otherwise when one comes
    /// (a CANCEL before any response could overtake the INVITE).
    func cancel(_ reason: Q850Cause) {
        guard phase == .calling, cancelReason == nil else { return }
        cancelReason = reason
        if gotProvisional { sendCancel() }
    }

    private func outcomeOfCancel() -> CallOutcome {
        cancelReason == .noAnswer ? .noAnswer : .cancelled
    }

    private func sendCancel() {
        guard !cancelSent, let invite, let inviteDestination, let reason = cancelReason else { return }
        cancelSent = true
        var h = SIPHeaders()
        if let via = invite.headers[.via] { h.append(.via, via) }
        for route in invite.headers.values(.route) { h.append(.route, route) }
        h.append(.maxForwards, "70")
        for name in [SIPHeaderName.from, .to, .callID] { if let v = invite.headers[name] { h.append(name, v) } }
        h.append(.cseq, CSeq((try? invite.headers.cseq())?.sequence ?? 1, .cancel).description)
        h.append(.reason, reason.description)
        h.append(.contentLength, "0")
        let cancel = SIPRequest(method: .cancel, uri: invite.uri, headers: h)
        transactions.sendRequest(cancel, to: inviteDestination) { _ in }
    }

    // MARK: Ending

    func end(outcome: CallOutcome, code: Int?, reason: String? = nil) {
        guard phase != .ended else { return }
        result.outcome = outcome
        if let code { result.sipCode = code }
        if let reason { result.reason = reason }
        if case .rejected(_, let why) = outcome, result.reason == nil { result.reason = why }
        if case .unreachable(let why) = outcome { result.reason = why }
        finish(result)
    }

    func finish(_ final: CallResult) {
        guard phase != .ended else { return }
        phase = .ended
        ringTimer?.cancel()
        sessionTimerTask?.cancel()
        transferTimer?.cancel()
        var r = final
        r.ended = elapsed()
        result = r
        // Keep receiving 2xx retransmissions and late forks for 64·T1 after the end (§13.2.2.4).
        transactions.timerWheel.schedule(in: transactions.timers.transactionTimeout.timeAmount) { [weak self] in
            guard let self else { return }
            self.dispatcher.remove(callID: self.callID)
        }
        onEvent(.ended(r))
    }

    /// Resolves where requests in `dialog` go (RFC 3263 on its next hop); the INVITE's
    /// destination when that fails.
    func nextHop(of dialog: SIPDialog, _ body: @escaping @Sendable (SIPDestination) -> Void) {
        let uri = dialog.nextHop
        let transport = SIPTargetResolver.transport(for: uri, default: config.transport)
        if let numeric = SIPTargetResolver.numericDestination(uri, transport: transport) {
            body(numeric)
            return
        }
        let fallback = inviteDestination ?? config.destinations.first
        let resolver = resolver
        let promise = eventLoop.makePromise(of: [SIPDestination].self)
        promise.completeWithTask { try await resolver.resolve(uri, transport: transport) }
        promise.futureResult.whenComplete { result in
            if case .success(let list) = result, let first = list.first {
                body(first)
            } else if let fallback {
                body(fallback)
            }
        }
    }
}
