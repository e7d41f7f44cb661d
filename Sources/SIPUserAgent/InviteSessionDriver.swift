import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// Carries out an `InviteSession`'s actions on the transaction layer's event loop: client
/// transactions for its requests, the server transaction of the request it answers, 2xx
/// retransmission (`SuccessRetransmitter`), timers on the timer wheel, time from the event
/// loop. It decides only where a dialog's requests go at the transport level (`Routing`).
/// Inputs that arrive while actions are being carried out (a transaction that reports at
/// once) wait their turn, so the machine sees them in order.
///
/// Confined to the transaction layer's event loop.
final class InviteSessionDriver: @unchecked Sendable {
    /// Where requests go.
    enum Routing {
        /// A call sipdial placed: the INVITE tries `destinations` (RFC 3263 failover); a
        /// dialog's requests go to its next hop, resolved with `resolver` (§12.2.1.1, RFC 3263),
        /// or where the INVITE went when that fails.
        case resolving(SIPTargetResolver, destinations: [SIPDestination], transport: SIPTransportType)
        /// A call a peer placed: everything goes back to the address the INVITE came from.
        case peer(SIPDestination)
    }

    private var session: InviteSession
    let dispatcher: SIPSessionDispatcher
    private let routing: Routing
    private let onEvent: @Sendable (CallEvent) -> Void
    private let onTransferRequest: (@Sendable (SIPURI) -> Void)?
    private var transactions: SIPTransactionLayer { dispatcher.transactions }
    var eventLoop: EventLoop { transactions.eventLoop }
    private var queue: [InviteSession.Input] = []
    private var actions: [InviteSession.Action] = []
    private var running = false
    /// The server transactions of requests the session has not answered finally yet, by
    /// CSeq (a response copies its request's): an offer the owner answers is answered later.
    private var unanswered: [String: SIPServerTransaction] = [:]
    private var inviteDestination: SIPDestination?
    private var timers = ArmedTimers()
    private lazy var resender = SuccessRetransmitter<UInt32>(transactions: transactions)
    /// Hops whose names were resolved (a numeric one needs no lookup and is not kept).
    private var resolvedHops: [SIPURI: SIPDestination] = [:]
    private var resolving: [SIPURI: [(SIPDestination) -> Void]] = [:]

    var callID: String { session.callID }

    init(session: InviteSession, dispatcher: SIPSessionDispatcher, routing: Routing,
         onTransferRequest: (@Sendable (SIPURI) -> Void)? = nil, onEvent: @escaping @Sendable (CallEvent) -> Void) {
        self.session = session
        self.dispatcher = dispatcher
        self.routing = routing
        self.onTransferRequest = onTransferRequest
        self.onEvent = onEvent
    }

    /// Feeds `input` on the event loop.
    func submit(_ input: InviteSession.Input) {
        eventLoop.execute { self.feed(input) }
    }

    /// Takes the session into the dispatcher, then feeds `input`.
    func open(with input: InviteSession.Input) {
        eventLoop.execute {
            self.dispatcher.add(self, callID: self.callID)
            self.feed(input)
        }
    }

    /// Feeds `input`; `tx` is the server transaction of the request it brings, which the
    /// session's responses to that request go through.
    func feed(_ input: InviteSession.Input, answering tx: SIPServerTransaction? = nil) {
        eventLoop.assertInEventLoop()
        if let tx, let cseq = tx.request.headers[.cseq] { unanswered[cseq] = tx }
        guard !running else {
            queue.append(input)
            return
        }
        running = true
        run(input)
        while !queue.isEmpty { run(queue.removeFirst()) }
        running = false
    }

    /// One input through the machine; its actions carried out from one reused buffer (an
    /// input arriving meanwhile waits in `queue`, so the buffer does not change under it).
    private func run(_ input: InviteSession.Input) {
        let now = Duration.nanoseconds(Int64(eventLoop.now.uptimeNanoseconds))
        session.handle(input, at: now, into: &actions)
        for action in actions { perform(action) }
        actions.removeAll(keepingCapacity: true)
    }

    /// The server transaction `response` answers; a final response takes it off the list.
    private func transaction(for response: SIPResponse) -> SIPServerTransaction? {
        guard let cseq = response.headers[.cseq] else { return nil }
        return response.statusCode >= 200 ? unanswered.removeValue(forKey: cseq) : unanswered[cseq]
    }

    private func perform(_ action: InviteSession.Action) {
        switch action {
        case .sendInvite(let request): sendInvite(request)
        case .sendCancel(let cancel):
            guard let inviteDestination else { return }
            transactions.sendRequest(cancel, to: inviteDestination) { _ in }
        case .send(let request, let hop, let purpose):
            route(hop) { [weak self] destination in
                self?.transactions.sendRequest(request, to: destination) { [weak self] event in
                    self?.feed(.requestOutcome(purpose, request: request, Self.outcome(event)))
                }
            }
        case .sendAck(let ack, let hop):
            route(hop) { [weak self] destination in _ = self?.transactions.sendStateless(.request(ack), to: destination) }
        case .respond(let response): transaction(for: response)?.respond(response)
        case .respondUntilAcknowledged(let ok):
            guard let tx = transaction(for: ok), let number = (try? ok.headers.cseq())?.sequence else { return }
            resender.send(ok, on: tx, key: number) { [weak self] in self?.feed(.ackMissing(sequence: number)) }
        case .stopResending(let number): resender.acknowledged(number)
        case .startTimer(let timer, let delay):
            timers[timer]?.cancel()
            timers[timer] = transactions.timerWheel.schedule(in: delay.timeAmount) { [weak self] in
                self?.timers[timer] = nil
                self?.feed(.timerFired(timer))
            }
        case .cancelTimer(let timer):
            timers[timer]?.cancel()
            timers[timer] = nil
        case .report(let event): onEvent(event)
        case .followTransfer(let target): onTransferRequest?(target)
        case .release: dispatcher.remove(callID: callID)
        }
    }

    private static func outcome(_ event: SIPClientTransactionEvent) -> InviteSession.Outcome {
        switch event {
        case .response(let r): .response(r)
        case .timedOut: .timedOut
        case .transportFailed: .transportFailed
        }
    }

    private func sendInvite(_ request: SIPRequest) {
        guard case .resolving(_, let destinations, _) = routing else { return }
        transactions.sendRequest(request, trying: destinations, onAttempt: { [weak self] sent, destination in
            self?.inviteDestination = destination
            self?.feed(.inviteSent(sent))
        }, handler: { [weak self] event in
            switch event {
            case .response(let r): self?.feed(.inviteResponse(r))
            case .timedOut: self?.feed(.inviteTimedOut)
            case .transportFailed:
                self?.feed(.inviteUnreachable("cannot reach \(destinations.map(\.description).joined(separator: ", "))"))
            }
        })
    }

    /// Runs `body` with where requests to `hop` go: at once when known, after an RFC 3263
    /// lookup otherwise (requests for one hop leave in the order they were made); where the
    /// INVITE went when the lookup fails.
    private func route(_ hop: SIPURI, _ body: @escaping (SIPDestination) -> Void) {
        switch routing {
        case .peer(let peer):
            body(peer)
        case .resolving(let resolver, let destinations, let defaultTransport):
            let transport = SIPTargetResolver.transport(for: hop, default: defaultTransport)
            if let numeric = SIPTargetResolver.numericDestination(hop, transport: transport) { return body(numeric) }
            if let known = resolvedHops[hop] { return body(known) }
            if resolving[hop] != nil {
                resolving[hop]?.append(body)
                return
            }
            resolving[hop] = [body]
            let fallback = inviteDestination ?? destinations.first
            let promise = eventLoop.makePromise(of: [SIPDestination].self)
            promise.completeWithTask { try await resolver.resolve(hop, transport: transport) }
            promise.futureResult.whenComplete { [self] result in
                let waiting = resolving.removeValue(forKey: hop) ?? []
                var found = fallback
                if case .success(let list) = result, let first = list.first { found = first }
                guard let found else { return }
                resolvedHops[hop] = found
                for send in waiting { send(found) }
            }
        }
    }
}

extension InviteSessionDriver: SIPSessionEndpoint {
    func receive(_ tx: SIPServerTransaction) { feed(.request(tx.request), answering: tx) }
    func receiveAck(_ ack: SIPRequest) { feed(.ack(ack)) }
    func receiveStray(_ response: SIPResponse) { feed(.strayResponse(response)) }
}

/// The wheel timers of one session, a field each (no table to allocate per call).
private struct ArmedTimers {
    private var ring, refresh, reoffer, expiry, transfer, linger: TimerWheel.Timer?

    subscript(timer: InviteSession.Timer) -> TimerWheel.Timer? {
        get {
            switch timer {
            case .ring: ring
            case .refresh: refresh
            case .reoffer: reoffer
            case .expiry: expiry
            case .transfer: transfer
            case .linger: linger
            }
        }
        set {
            switch timer {
            case .ring: ring = newValue
            case .refresh: refresh = newValue
            case .reoffer: reoffer = newValue
            case .expiry: expiry = newValue
            case .transfer: transfer = newValue
            case .linger: linger = newValue
            }
        }
    }
}
