import Logging
import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// A user agent server that answers everything it may: OPTIONS with its capabilities, each
/// INVITE with 180 then 200 (retransmitting the 200 until the ACK, RFC 3261 §13.3.1.4), BYE
/// within a call with 200, CANCEL by ending the INVITE with 487, in-dialog requests for an
/// unknown call with 481 (§12.2.2). With an `InboundMedia` it answers the offered audio and
/// the media runs until the call ends; without one its SDP answer rejects the streams
/// (port 0, RFC 3264 §6).
///
/// It is the far end of sipdial's own tests and of `sipdial simulate`.
public final class AutoAnswerUAS: @unchecked Sendable {
    public let transactions: SIPTransactionLayer
    private let policy: SIPUASPolicy
    private let logger: Logger
    private var eventLoop: EventLoop { transactions.eventLoop }

    /// Calls answered whose ACK has not come yet, by Call-ID and local tag.
    private let unacknowledged: SuccessRetransmitter<DialogID>
    /// Confirmed calls.
    private var calls: Set<DialogID> = []
    /// INVITEs ringing until `answerDelay` passes, by server transaction key.
    private var ringing: [SIPTransactionKey: Scheduled<Void>] = [:]
    /// INVITEs whose media is being set up, by server transaction key.
    private var answering: Set<SIPTransactionKey> = []
    /// How long each INVITE rings (180) before the 200.
    public let answerDelay: Duration
    /// Statistics for tests and logs.
    public private(set) var answered = 0
    public private(set) var ended = 0

    struct DialogID: Hashable {
        var callID: String
        var localTag: String
    }

    /// Who may call in; others get 403 (see `SIPPeerAllowList`).
    public let allowedPeers: SIPPeerAllowList
    public private(set) var refusedPeers = 0

    /// Answers the audio of each call; nil rejects the offered streams.
    public let media: InboundMedia?

    public init(transactions: SIPTransactionLayer, answerDelay: Duration = .zero, allowedPeers: SIPPeerAllowList = .loopback,
                media: InboundMedia? = nil, policy: SIPUASPolicy = .default, logger: Logger = Logger(label: "sipdial.uas")) {
        self.transactions = transactions
        self.media = media
        self.allowedPeers = allowedPeers
        self.answerDelay = answerDelay
        self.policy = policy
        self.logger = logger
        self.unacknowledged = SuccessRetransmitter(transactions: transactions)
        var handlers = SIPTransactionLayer.Handlers()
        handlers.request = { [weak self] tx in self?.request(tx) }
        handlers.ack = { [weak self] inbound in self?.ack(inbound) }
        handlers.cancel = { [weak self] tx in self?.cancel(tx) }
        transactions.setHandlers(handlers)
    }

    /// §9.2: the CANCEL was answered by the transaction layer; end the INVITE with 487.
    private func cancel(_ tx: SIPServerTransaction) {
        ringing.removeValue(forKey: tx.key)?.cancel()
        answering.remove(tx.key)
        tx.respond(status: 487)
    }

    /// Calls currently up (answered and not yet ended), read on the event loop.
    public func activeCalls() async throws -> Int {
        try await eventLoop.submit { self.calls.count + self.unacknowledged.count }.get()
    }

    private func request(_ tx: SIPServerTransaction) {
        let r = tx.request
        let toTag = r.headers[.to].flatMap { try? SIPAddress(parsing: $0) }?.tag
        switch r.method {
        case .options:
            tx.respond(status: 200, headers: capabilities)
        case .invite where toTag == nil:
            if admitted(tx) { answer(tx) }
        case .refer where toTag == nil, .subscribe where toTag == nil:
            // Dialog-creating requests sipdial does not serve outside a call.
            if admitted(tx) { tx.respond(status: 403, reason: "Not Served Outside A Call") }
        case .bye:
            let id = DialogID(callID: r.headers[.callID] ?? "", localTag: toTag ?? "")
            if calls.remove(id) != nil || unacknowledged.acknowledged(id) {
                ended += 1
                tx.respond(status: 200)
                media?.ended(callID: id.callID)
            } else {
                tx.respond(status: 481)
            }
        default:
            // Re-INVITE, UPDATE, INFO ...: dialogs arrive with the user agent; until then,
            // a request in a dialog we do not know gets 481 (§12.2.2).
            let id = DialogID(callID: r.headers[.callID] ?? "", localTag: toTag ?? "")
            tx.respond(status: calls.contains(id) ? 200 : 481)
        }
    }

    /// False (and 403 sent) when the source is not a configured peer.
    private func admitted(_ tx: SIPServerTransaction) -> Bool {
        if allowedPeers.allows(tx.inbound.source) { return true }
        refusedPeers += 1
        logger.notice("refused a request from a source that is not a configured peer", metadata: ["source": "\(tx.inbound.source)", "method": "\(tx.request.method)"])
        tx.respond(status: 403, reason: SIPPeerAllowList.refusal)
        return false
    }

    private var capabilities: [SIPHeaderField] {
        [
            SIPHeaderField(.allow, policy.allowedMethods.map(\.rawValue).joined(separator: ", ")),
            SIPHeaderField(.accept, policy.acceptedContentTypes.joined(separator: ", ")),
            SIPHeaderField(.supported, policy.supportedOptionTags.sorted().joined(separator: ", ")),
        ]
    }

    private func answer(_ tx: SIPServerTransaction) {
        tx.respond(status: 180)
        guard answerDelay > .zero else {
            accept(tx)
            return
        }
        ringing[tx.key] = eventLoop.scheduleTask(in: answerDelay.timeAmount) { [weak self] in
            guard let self, self.ringing.removeValue(forKey: tx.key) != nil else { return }
            self.accept(tx)
        }
    }

    private func accept(_ tx: SIPServerTransaction) {
        let local = transactions.transport.localAddress(for: tx.inbound.transport, family: tx.inbound.source)
        let address = local?.ipAddress ?? "127.0.0.1"
        guard let media, !tx.request.body.isEmpty else {
            let body = tx.request.body.isEmpty ? [] : Array(AutoAnswerUAS.rejectingAnswer(to: tx.request.body, address: address).utf8)
            return sendSuccess(tx, body: body, local: local)
        }
        let offer = tx.request.body, callID = tx.request.headers[.callID] ?? ""
        answering.insert(tx.key)
        Task {
            let answer = await media.answer(offer: offer, callID: callID, localAddress: address)
            self.eventLoop.execute {
                guard self.answering.remove(tx.key) != nil else {
                    // CANCELled while the media was being set up.
                    if answer != nil { media.ended(callID: callID) }
                    return
                }
                if let answer {
                    self.sendSuccess(tx, body: answer, local: local)
                } else {
                    tx.respond(status: 488)
                }
            }
        }
    }

    /// The 200 with this side's Contact and `body` (an SDP answer), resent until the ACK.
    private func sendSuccess(_ tx: SIPServerTransaction, body: [UInt8], local: SocketAddress?) {
        let contactURI = SIPURI(host: local?.sipHost ?? "127.0.0.1", port: local?.port,
                                parameters: tx.inbound.transport == .udp ? [] : [SIPParameter("transport", tx.inbound.transport.uriParameter)])
        var extra = [SIPHeaderField(.contact, SIPAddress(uri: contactURI).description)] + capabilities
        if !body.isEmpty { extra.append(SIPHeaderField(.contentType, "application/sdp")) }
        let ok = SIPResponseFactory.response(to: tx.request, status: 200, toTag: tx.localTag, headers: extra, body: body)
        answered += 1
        let id = DialogID(callID: tx.request.headers[.callID] ?? "", localTag: tx.localTag)
        let logger = logger, media = media
        unacknowledged.send(ok, on: tx, key: id) {
            logger.warning("no ACK for 2xx", metadata: ["call-id": "\(id.callID)"])
            media?.ended(callID: id.callID)
        }
    }

    private func ack(_ inbound: SIPInboundMessage) {
        guard case .request(let ack) = inbound.message else { return }
        let toTag = ack.headers[.to].flatMap { try? SIPAddress(parsing: $0) }?.tag ?? ""
        let id = DialogID(callID: ack.headers[.callID] ?? "", localTag: toTag)
        if unacknowledged.acknowledged(id) {
            calls.insert(id)
        }
    }

    /// An SDP answer that rejects every offered stream (port 0) while keeping their order,
    /// as RFC 3264 §6 requires of an answerer that takes none of them.
    static func rejectingAnswer(to offer: [UInt8], address: String) -> String {
        let lines = String(decoding: offer, as: UTF8.self).split(whereSeparator: { $0 == "\r" || $0 == "\n" })
        let family = address.contains(":") ? "IP6" : "IP4"
        var out = "v=0\r\no=sipdial 1 1 IN \(family) \(address)\r\ns=-\r\nc=IN \(family) \(address)\r\nt=0 0\r\n"
        for line in lines where line.hasPrefix("m=") {
            let f = line.dropFirst(2).split(separator: " ")
            guard f.count >= 4 else { continue }
            out += "m=\(f[0]) 0 \(f[2]) \(f[3])\r\n"
        }
        return out
    }
}

/// The audio side of the calls an `AutoAnswerUAS` answers (kept out of the SIP layer, which
/// does not know RTP).
public protocol InboundMedia: AnyObject, Sendable {
    /// Sets up the call's audio for the SDP `offer` and returns the SDP answer (RFC 3264 §6),
    /// the media running from now on; nil when nothing offered fits (the call gets 488).
    func answer(offer: [UInt8], callID: String, localAddress: String) async -> [UInt8]?
    /// The call ended (BYE, or no ACK came): release its audio.
    func ended(callID: String)
}
