import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// What a call session receives from the dispatcher, on the transaction layer's event loop.
protocol SIPSessionEndpoint: AnyObject, Sendable {
    /// A request inside one of the session's dialogs (a To tag is present).
    func receive(_ tx: SIPServerTransaction)
    /// An ACK for a 2xx the session sent.
    func receiveAck(_ ack: SIPRequest)
    /// A response no client transaction matched: a 2xx retransmission after the INVITE
    /// transaction ended, or a 2xx from another fork (§13.2.2.4).
    func receiveStray(_ response: SIPResponse)
}

/// Routes what the transaction layer delivers to the call sessions by Call-ID, and answers
/// what belongs to no session (RFC 3261 §8.2, §12.2.2):
/// - an in-dialog request for no known dialog gets 481;
/// - OPTIONS outside a dialog gets 200 with the capabilities;
/// - a dialog-creating request (INVITE, SUBSCRIBE, REFER) from a source that is not an allowed
///   peer (nor one `isTrunk` knows) gets 403 and goes nowhere: the first toll-fraud defence.
///   From an allowed peer it goes to `incoming`, which by default refuses it with 480
///   (sipdial only dials out).
public final class SIPSessionDispatcher: @unchecked Sendable {
    public let transactions: SIPTransactionLayer
    /// Peers allowed to open dialogs with sipdial.
    public let allowedPeers: SIPPeerAllowList
    public let policy: SIPUASPolicy
    private var sessions: [String: SIPSessionEndpoint] = [:]
    /// INVITEs a CANCEL ended before they were answered (§9.2), for their transaction's lifetime.
    private var cancelledInvites: Set<SIPTransactionKey> = []
    private let incoming: @Sendable (SIPServerTransaction) -> Void
    /// Sources allowed besides `allowedPeers`: the configured trunks' addresses, which change.
    private let isTrunk: @Sendable (SocketAddress) -> Bool
    public private(set) var refusedPeers = 0

    public init(transactions: SIPTransactionLayer, allowedPeers: SIPPeerAllowList = .loopback, policy: SIPUASPolicy = .default,
                isTrunk: @escaping @Sendable (SocketAddress) -> Bool = { _ in false },
                incoming: @escaping @Sendable (SIPServerTransaction) -> Void = { $0.respond(status: 480) }) {
        self.transactions = transactions
        self.allowedPeers = allowedPeers
        self.isTrunk = isTrunk
        self.policy = policy
        self.incoming = incoming
        capabilities = [
            SIPHeaderField(.allow, policy.allowedMethods.map(\.rawValue).joined(separator: ", ")),
            SIPHeaderField(.accept, policy.acceptedContentTypes.joined(separator: ", ")),
            SIPHeaderField(.supported, policy.supportedOptionTags.sorted().joined(separator: ", ")),
        ]
        var handlers = SIPTransactionLayer.Handlers()
        handlers.request = { [weak self] tx in self?.request(tx) }
        handlers.ack = { [weak self] inbound in
            guard case .request(let ack) = inbound.message else { return }
            self?.session(for: ack.headers)?.receiveAck(ack)
        }
        handlers.strayResponse = { [weak self] inbound in
            guard case .response(let r) = inbound.message else { return }
            self?.session(for: r.headers)?.receiveStray(r)
        }
        // The layer answered the CANCEL itself (§9.2); the INVITE it matched ends with 487
        // unless it was answered already, in which case the transaction ignores this.
        handlers.cancel = { [weak self] tx in
            tx.respond(status: 487)
            self?.noteCancelled(tx.key)
        }
        transactions.setHandlers(handlers)
    }

    /// Keeps `key` for the transaction's lifetime (64·T1): an answer prepared meanwhile for
    /// that INVITE must not be sent (`wasCancelled`).
    private func noteCancelled(_ key: SIPTransactionKey) {
        cancelledInvites.insert(key)
        transactions.timerWheel.schedule(in: transactions.timers.transactionTimeout.timeAmount) { [weak self] in
            self?.cancelledInvites.remove(key)
        }
    }

    /// Whether a CANCEL ended the INVITE of `key` (487 sent), on the event loop.
    func wasCancelled(_ key: SIPTransactionKey) -> Bool {
        transactions.eventLoop.assertInEventLoop()
        return cancelledInvites.contains(key)
    }

    func add(_ session: SIPSessionEndpoint, callID: String) {
        transactions.eventLoop.assertInEventLoop()
        sessions[callID] = session
    }

    func remove(callID: String) {
        transactions.eventLoop.assertInEventLoop()
        sessions[callID] = nil
    }

    /// Sessions open now, read on the event loop.
    public func sessionCount() async throws -> Int {
        try await transactions.eventLoop.submit { self.sessions.count }.get()
    }

    /// The capabilities advertised in OPTIONS answers and dialog-creating messages (Allow,
    /// Accept, Supported), written once from `policy`.
    public let capabilities: [SIPHeaderField]

    private func session(for headers: SIPHeaders) -> SIPSessionEndpoint? {
        headers[.callID].flatMap { sessions[$0] }
    }

    private func request(_ tx: SIPServerTransaction) {
        let r = tx.request
        let inDialog = (try? r.headers.to())??.tag != nil
        if inDialog {
            guard let session = session(for: r.headers) else {
                tx.respond(status: 481)
                return
            }
            session.receive(tx)
            return
        }
        switch r.method {
        case .options:
            tx.respond(status: 200, headers: capabilities)
        case .invite, .subscribe, .refer:
            guard allowedPeers.allows(tx.inbound.source) || isTrunk(tx.inbound.source) else {
                refusedPeers += 1
                tx.respond(status: 403, reason: SIPPeerAllowList.refusal)
                return
            }
            incoming(tx)
        case .bye, .prack, .update, .info, .notify:
            tx.respond(status: 481)
        default:
            tx.respond(status: 405, headers: capabilities)
        }
    }
}
