import Logging
import NIOCore
import SIPCore
import SIPTransaction

/// Runs the RFC 3261 §17 transaction state machines on the transport's event loop: matches
/// incoming messages to transactions (§17.1.3, §17.2.3), arms their timers on a
/// `TimerWheel`, carries out their sends, and hands new requests to the transaction user after the
/// §8.2 checks of `SIPMessageValidator` (the same code `sipdial sip check` runs).
///
/// All state is confined to `eventLoop`.
public final class SIPTransactionLayer: @unchecked Sendable {
    public let transport: SIPTransportLayer
    public let timers: SIPTimerConfiguration
    public var eventLoop: EventLoop { transport.eventLoop }
    /// The transactions' timers, shared with the user agents on this loop.
    public let timerWheel: TimerWheel
    private let validator: SIPMessageValidator
    let logger: Logger

    /// The transaction user's entry points. Set them before traffic arrives; they run on `eventLoop`.
    public struct Handlers: Sendable {
        /// A new request that passed the checks; answer it through the handle.
        public var request: @Sendable (SIPServerTransaction) -> Void = { $0.respond(status: 501) }
        /// An ACK that matched no transaction: the ACK for a 2xx (§13.2.2.4, §17.1.1.3).
        public var ack: @Sendable (SIPInboundMessage) -> Void = { _ in }
        /// A CANCEL matched this INVITE transaction; it was answered 200, the TU should end
        /// the INVITE with 487 if it has not answered it yet (§9.2).
        public var cancel: @Sendable (SIPServerTransaction) -> Void = { $0.respond(status: 487) }
        /// A response that matched no client transaction, such as a 2xx retransmission
        /// after the transaction ended (§13.2.2.4) or a forked 2xx.
        public var strayResponse: @Sendable (SIPInboundMessage) -> Void = { _ in }
        /// A server transaction ended without the far end's ACK (Timer H) or on transport failure.
        public var serverFailure: @Sendable (SIPServerTransaction, SIPTransactionAction) -> Void = { _, _ in }

        public init() {}
    }

    /// A transaction of either kind behind one `handle` (RFC 3261 §17: INVITE or not).
    private enum Machine<Invite: SIPTransactionMachine, Other: SIPTransactionMachine> where Invite.Event == Other.Event {
        case invite(Invite)
        case nonInvite(Other)

        mutating func handle(_ input: Invite.Event) -> [SIPTransactionAction] {
            switch self {
            case .invite(var m):
                defer { self = .invite(m) }
                return m.handle(input)
            case .nonInvite(var m):
                defer { self = .nonInvite(m) }
                return m.handle(input)
            }
        }
    }

    private typealias ClientMachine = Machine<ClientInviteTransaction, ClientNonInviteTransaction>
    private typealias ServerMachine = Machine<ServerInviteTransaction, ServerNonInviteTransaction>

    /// A transaction's armed timers (RFC 3261 §17): arming one again replaces it, and the
    /// end of the transaction cancels them all.
    private struct ArmedTimers {
        private var armed: [SIPTimer: TimerWheel.Timer] = [:]

        mutating func start(_ timer: SIPTimer, in delay: Duration, on wheel: TimerWheel, _ fire: @escaping () -> Void) {
            armed[timer]?.cancel()
            armed[timer] = wheel.schedule(in: delay.timeAmount, fire)
        }

        mutating func cancel(_ timer: SIPTimer) {
            armed.removeValue(forKey: timer)?.cancel()
        }

        mutating func cancelAll() {
            armed.values.forEach { $0.cancel() }
            armed = [:]
        }
    }

    /// A client transaction's state. A class, so feeding it an input mutates it where the
    /// table keeps it: no copy of the machine (which holds the request) out and back in, and
    /// one lookup per input instead of one per action.
    private final class ClientEntry {
        var machine: ClientMachine
        let destination: SIPDestination
        let handler: @Sendable (SIPClientTransactionEvent) -> Void
        var timers = ArmedTimers()
        /// A final response reached the handler: a transport failure no longer concerns it.
        var answered = false

        init(machine: ClientMachine, destination: SIPDestination, handler: @escaping @Sendable (SIPClientTransactionEvent) -> Void) {
            (self.machine, self.destination, self.handler) = (machine, destination, handler)
        }
    }

    /// A server transaction's state; a class for the same reason as `ClientEntry`.
    private final class ServerEntry {
        var machine: ServerMachine
        let handle: SIPServerTransaction
        let mergeKey: SIPMergeKey?
        var timers = ArmedTimers()

        init(machine: ServerMachine, handle: SIPServerTransaction, mergeKey: SIPMergeKey?) {
            (self.machine, self.handle, self.mergeKey) = (machine, handle, mergeKey)
        }
    }

    private var handlers = Handlers()
    private var clients: [SIPTransactionKey: ClientEntry] = [:]
    private var servers: [SIPTransactionKey: ServerEntry] = [:]
    private var merged: [SIPMergeKey: SIPTransactionKey] = [:]
    /// Destinations that answered 503 with Retry-After, and until when to avoid them.
    var retryAfterBlocks: [SIPDestination: NIODeadline] = [:]
    /// Admission of requests by source (`guardSources`); nil admits every request.
    var sourceGuard: SourceGuard?
    var isExemptSource: @Sendable (SocketAddress) -> Bool = { _ in false }

    public init(transport: SIPTransportLayer, timers: SIPTimerConfiguration = .default, validator: SIPMessageValidator = SIPMessageValidator(), logger: Logger = Logger(label: "sipdial.transaction")) {
        self.transport = transport
        self.timers = timers
        timerWheel = TimerWheel(eventLoop: transport.eventLoop)
        self.validator = validator
        self.logger = logger
        transport.onReceive { [weak self] inbound in self?.receive(inbound) }
        transport.onConnectionClosed { [weak self] remote, kind in self?.connectionClosed(to: remote, kind) }
    }

    public func setHandlers(_ handlers: Handlers) {
        if eventLoop.inEventLoop { self.handlers = handlers } else { eventLoop.execute { self.handlers = handlers } }
    }

    /// Live transaction counts (client, server), for tests and metrics.
    public func transactionCounts() async throws -> (client: Int, server: Int) {
        try await eventLoop.submit { (self.clients.count, self.servers.count) }.get()
    }

    /// Client transactions still waiting for a final response (a BYE just sent, say).
    public func unansweredClientCount() async throws -> Int {
        try await eventLoop.submit { self.clients.values.count { !$0.answered } }.get()
    }

    // MARK: Client side

    /// Starts a client transaction for `request` (which must carry its top Via with a fresh
    /// branch) towards `destination`. Events arrive on `eventLoop` through `handler`.
    public func sendRequest(_ request: SIPRequest, to destination: SIPDestination, handler: @escaping @Sendable (SIPClientTransactionEvent) -> Void) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.sendRequest(request, to: destination, handler: handler) }
            return
        }
        guard let key = SIPTransactionKey.client(for: request) else {
            handler(.transportFailed)
            return
        }
        let reliable = destination.transport.isReliable
        let machine: ClientMachine = request.method == .invite
            ? .invite(ClientInviteTransaction(request: request, reliable: reliable, timers: timers))
            : .nonInvite(ClientNonInviteTransaction(request: request, reliable: reliable, timers: timers))
        let entry = ClientEntry(machine: machine, destination: destination, handler: handler)
        clients[key] = entry
        feed(entry, key, .start)
    }

    /// Sends a message outside any transaction: the ACK for a 2xx, or a 2xx retransmission.
    /// On the event loop it goes out at once, so it keeps its order with requests sent next
    /// (an ACK must not trail the BYE that follows it).
    public func sendStateless(_ message: SIPMessage, to destination: SIPDestination) -> EventLoopFuture<Void> {
        if eventLoop.inEventLoop { return transport.send(message, to: destination) }
        return eventLoop.flatSubmit { self.transport.send(message, to: destination) }
    }

    private func feedClient(_ key: SIPTransactionKey, _ input: SIPClientTransactionInput) {
        eventLoop.assertInEventLoop()
        guard let entry = clients[key] else { return }
        feed(entry, key, input)
    }

    /// Feeds a live client transaction and carries out what it asks for. Its timers hold it
    /// weakly: once terminated it has left `clients` and a late timer finds nothing.
    private func feed(_ entry: ClientEntry, _ key: SIPTransactionKey, _ input: SIPClientTransactionInput) {
        for action in entry.machine.handle(input) {
            switch action {
            case .send(let message):
                transport.send(message, to: entry.destination).whenFailure { [weak self] _ in
                    self?.feedClient(key, .transportError)
                }
            case .deliverResponse(let r):
                if r.statusCode >= 200 { entry.answered = true }
                entry.handler(.response(r))
            case .timedOut: entry.handler(.timedOut)
            case .transportFailed: entry.handler(.transportFailed)
            case .startTimer(let t, let d):
                entry.timers.start(t, in: d, on: timerWheel) { [weak self, weak entry] in
                    if let self, let entry { self.feed(entry, key, .timerFired(t)) }
                }
            case .cancelTimer(let t):
                entry.timers.cancel(t)
            case .terminated:
                entry.timers.cancelAll()
                if clients[key] === entry { clients[key] = nil }
            case .deliverAck: break
            }
        }
    }

    /// A TCP or TLS connection closed (RFC 3261 §18.4: a transport error): each client
    /// transaction whose request went over it and that has no final response yet fails now
    /// instead of waiting out Timer B or F (a TLS 1.3 server refusing the client's
    /// certificate closes the connection only after the request was written).
    private func connectionClosed(to remote: SocketAddress, _ kind: SIPTransportType) {
        let failed = clients.filter { _, entry in !entry.answered && entry.destination.transport == kind && entry.destination.address == remote }
        for key in failed.keys { feedClient(key, .transportError) }
    }

    // MARK: Server side

    func respond(_ response: SIPResponse, key: SIPTransactionKey) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.respond(response, key: key) }
            return
        }
        feedServer(key, .respond(response))
    }

    private func feedServer(_ key: SIPTransactionKey, _ input: SIPServerTransactionInput) {
        eventLoop.assertInEventLoop()
        guard let entry = servers[key] else { return }
        feed(entry, key, input)
    }

    /// Feeds a live server transaction; its timers hold it weakly, as a client's do.
    private func feed(_ entry: ServerEntry, _ key: SIPTransactionKey, _ input: SIPServerTransactionInput) {
        perform(entry.machine.handle(input), server: key, entry: entry)
    }

    private func perform(_ actions: [SIPTransactionAction], server key: SIPTransactionKey, entry: ServerEntry) {
        for action in actions {
            switch action {
            case .send(.response(let r)):
                transport.sendResponse(r, for: entry.handle.inbound).whenFailure { [weak self] _ in
                    self?.feedServer(key, .transportError)
                }
            case .send(.request): break
            case .deliverAck(let ack):
                handlers.ack(SIPInboundMessage(message: .request(ack), source: entry.handle.inbound.source, transport: entry.handle.inbound.transport, connection: entry.handle.inbound.connection))
            case .timedOut, .transportFailed:
                handlers.serverFailure(entry.handle, action)
            case .startTimer(let t, let d):
                entry.timers.start(t, in: d, on: timerWheel) { [weak self, weak entry] in
                    if let self, let entry { self.feed(entry, key, .timerFired(t)) }
                }
            case .cancelTimer(let t):
                entry.timers.cancel(t)
            case .terminated:
                entry.timers.cancelAll()
                if servers[key] === entry {
                    servers[key] = nil
                    if let mk = entry.mergeKey, merged[mk] == key { merged[mk] = nil }
                }
            case .deliverResponse: break
            }
        }
    }

    private func createServer(_ request: SIPRequest, inbound: SIPInboundMessage, key: SIPTransactionKey, mergeKey: SIPMergeKey?) -> SIPServerTransaction {
        let handle = SIPServerTransaction(request: request, inbound: inbound, key: key, layer: self)
        let reliable = inbound.transport.isReliable
        if request.method == .invite {
            var m = ServerInviteTransaction(request: request, reliable: reliable, timers: timers)
            let actions = m.start()
            let entry = ServerEntry(machine: .invite(m), handle: handle, mergeKey: mergeKey)
            servers[key] = entry
            perform(actions, server: key, entry: entry)
        } else {
            servers[key] = ServerEntry(machine: .nonInvite(ServerNonInviteTransaction(request: request, reliable: reliable, timers: timers)), handle: handle, mergeKey: mergeKey)
        }
        if let mergeKey { merged[mergeKey] = key }
        return handle
    }

    // MARK: Inbound dispatch

    private func receive(_ inbound: SIPInboundMessage) {
        eventLoop.assertInEventLoop()
        switch inbound.message {
        case .response(let response):
            // §8.1.3.3 and the rest of the response checks; they parse the top Via, whose
            // branch finds the transaction (so a stray response is checked too, though only
            // a matched one needs the verdict).
            let (verdict, topVia) = validator.checkResponse(response)
            guard let key = topVia.flatMap({ SIPTransactionKey.client(for: response, topVia: $0) }), let entry = clients[key] else {
                handlers.strayResponse(inbound)
                return
            }
            guard verdict.disposition == .accept else { return }
            feed(entry, key, .response(response))
        case .request(let request):
            receive(request, inbound: inbound)
        }
    }

    private func receive(_ request: SIPRequest, inbound: SIPInboundMessage) {
        guard admits(request, from: inbound.source) else { return }
        guard let key = SIPTransactionKey.server(for: request) else { return }
        if servers[key] != nil {
            feedServer(key, .request(request))
            return
        }
        if request.method == .ack {
            handlers.ack(inbound)
            return
        }
        let verdict = validator.check(.request(request))
        switch verdict.disposition {
        case .discard:
            return
        case .reject(let status, let reason, let extra):
            let handle = createServer(request, inbound: inbound, key: key, mergeKey: nil)
            handle.respond(status: status, reason: reason, headers: extra)
            return
        case .accept:
            break
        }
        // §8.2.2.2: the same request arriving again over another path is a merged request.
        let mergeKey = SIPMergeKey(request)
        if let mergeKey, let existing = merged[mergeKey], existing != key, servers[existing] != nil {
            createServer(request, inbound: inbound, key: key, mergeKey: nil).respond(status: 482)
            return
        }
        if request.method == .cancel {
            let handle = createServer(request, inbound: inbound, key: key, mergeKey: nil)
            guard let inviteKey = SIPTransactionKey.cancelled(by: request), let invite = servers[inviteKey] else {
                handle.respond(status: 481)
                return
            }
            handle.respond(SIPResponseFactory.response(to: request, status: 200, toTag: invite.handle.localTag))
            if case .invite(let m) = invite.machine, m.state == .proceeding {
                handlers.cancel(invite.handle)
            }
            return
        }
        handlers.request(createServer(request, inbound: inbound, key: key, mergeKey: mergeKey))
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`, which saturates at about 292 years (Int64
    /// nanoseconds) rather than overflowing.
    public var timeAmount: TimeAmount {
        let c = components
        let (whole, overflowed) = c.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowedAgain) = whole.addingReportingOverflow(c.attoseconds / 1_000_000_000)
        guard !overflowed, !overflowedAgain else { return .nanoseconds(c.seconds < 0 ? .min : .max) }
        return .nanoseconds(sum)
    }
}
