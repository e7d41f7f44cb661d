import Logging
import NIOCore
import SDP
import SIPCore
import SIPTransaction
import SIPTransport
import SIPUserAgent

/// A user agent server that answers what it may: OPTIONS with its capabilities, each INVITE
/// as its `CallScript` says (by default 180 then 200, the 200 retransmitted until the ACK,
/// RFC 3261 §13.3.1.4; or busy, a rejection, endless ringing, early media, a BYE of its own
/// after a while), BYE within a call with 200, CANCEL by ending the INVITE with 487,
/// in-dialog requests for an unknown call with 481 (§12.2.2). With an `InboundMedia` it
/// answers the offered audio and the media runs until the call ends; without one its SDP
/// answer rejects the streams (port 0, RFC 3264 §6).
///
/// It is the far end of sipdial's own tests and of `sipdial simulate`.
public final class AutoAnswerUAS: @unchecked Sendable {
    public let transactions: SIPTransactionLayer
    private let policy: SIPUASPolicy
    private let logger: Logger
    private var eventLoop: EventLoop { transactions.eventLoop }

    /// Calls answered whose ACK has not come yet, by Call-ID and local tag.
    private let unacknowledged: SuccessRetransmitter<DialogID>
    /// Calls answered (confirmed or waiting for their ACK): what a BYE of this side needs.
    private var calls: [DialogID: AnsweredCall] = [:]
    /// INVITEs ringing until their script's outcome, by server transaction key.
    private var ringing: [SIPTransactionKey: Scheduled<Void>] = [:]
    /// INVITEs whose media is being set up, by server transaction key.
    private var answering: Set<SIPTransactionKey> = []
    /// INVITEs whose early media runs (183 sent), with their SDP answer.
    private var earlyAnswers: [SIPTransactionKey: [UInt8]] = [:]
    /// What each incoming call gets.
    public let scripts: CallScriptBook
    /// Statistics for tests and logs.
    public private(set) var answered = 0
    public private(set) var ended = 0
    /// New INVITEs received, and the final responses sent to them (and to other dialog-creating
    /// requests refused) by status code.
    private var invites = 0
    private var finalResponses: [Int: Int] = [:]

    struct DialogID: Hashable {
        var callID: String
        var localTag: String
    }

    private struct AnsweredCall {
        var dialog: SIPDialog
        var peer: SIPDestination
        var script: CallScript
        var confirmed = false
        var hangUp: Scheduled<Void>?
    }

    /// Who may call in; others get 403 (see `SIPPeerAllowList`).
    public let allowedPeers: SIPPeerAllowList
    public private(set) var refusedPeers = 0

    /// Answers the audio of each call; nil rejects the offered streams.
    public let media: InboundMedia?
    /// When set, REGISTER is served with digest authentication and only registered sources
    /// may call (403 otherwise); without it REGISTER gets 405.
    public let registrar: SimulatedRegistrar?

    /// `answerDelay`: how long calls ring before the 200 when `scripts` is not given.
    public init(transactions: SIPTransactionLayer, answerDelay: Duration = .zero, scripts: CallScriptBook? = nil,
                allowedPeers: SIPPeerAllowList = .loopback, media: InboundMedia? = nil, registrar: SimulatedRegistrar? = nil,
                policy: SIPUASPolicy = .default, logger: Logger = Logger(label: "sipdial.uas")) {
        self.transactions = transactions
        self.media = media
        self.registrar = registrar
        self.allowedPeers = allowedPeers
        let ring = Double(answerDelay.components.seconds) + Double(answerDelay.components.attoseconds) / 1e18
        self.scripts = scripts ?? CallScriptBook(fallback: CallScript(ringSeconds: ring))
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
        if earlyAnswers.removeValue(forKey: tx.key) != nil { media?.ended(callID: tx.request.headers[.callID] ?? "") }
        finish(tx, status: 487)
    }

    /// Calls currently up (answered and not yet ended), read on the event loop.
    public func activeCalls() async throws -> Int {
        try await eventLoop.submit { self.calls.count }.get()
    }

    /// What this side did so far: what a load test's report is checked against.
    public struct Summary: Sendable, Equatable, Codable {
        public var invites: Int
        public var finalResponses: [String: Int]
        public var answered: Int
        public var ended: Int
        public var refusedPeers: Int
        /// What the registrar did, when registration is required.
        public var registrations: SimulatedRegistrar.Counts?
    }

    public func summary() async throws -> Summary {
        try await eventLoop.submit {
            Summary(invites: self.invites, finalResponses: Dictionary(uniqueKeysWithValues: self.finalResponses.map { (String($0.key), $0.value) }),
                    answered: self.answered, ended: self.ended, refusedPeers: self.refusedPeers, registrations: self.registrar?.counts)
        }.get()
    }

    /// Ends an INVITE with a final response, counted for the summary.
    private func finish(_ tx: SIPServerTransaction, status: Int, reason: String? = nil) {
        finalResponses[status, default: 0] += 1
        tx.respond(status: status, reason: reason)
    }

    private func request(_ tx: SIPServerTransaction) {
        transactions.eventLoop.assertInEventLoop()
        let r = tx.request
        let toTag = r.headers[.to].flatMap { try? SIPAddress(parsing: $0) }?.tag
        switch r.method {
        case .options:
            tx.respond(status: 200, headers: capabilities)
        case .invite where toTag == nil:
            invites += 1
            guard admitted(tx) else { return }
            if let registrar, !registrar.admits(tx.inbound.source) {
                logger.notice("refused a call from a source that is not registered", metadata: ["source": "\(tx.inbound.source)"])
                return finish(tx, status: 403, reason: "Not Registered")
            }
            let script = scripts.script(for: r.uri.user)
            // One line per new call: what a test reads to count the INVITEs each number got.
            logger.info("incoming call", metadata: ["number": "\(r.uri.user ?? "")", "script": "\(script)"])
            play(script, on: tx)
        case .register:
            guard let registrar else { return tx.respond(status: 405, headers: capabilities) }
            guard admitted(tx) else { return }
            let (status, reason, headers) = registrar.register(r, from: tx.inbound.source)
            logger.info("register", metadata: ["user": "\(r.uri.user ?? "")", "status": "\(status)"])
            tx.respond(status: status, reason: reason, headers: headers)
        case .refer where toTag == nil, .subscribe where toTag == nil:
            // Dialog-creating requests sipdial does not serve outside a call.
            if admitted(tx) { tx.respond(status: 403, reason: "Not Served Outside A Call") }
        case .bye:
            let id = DialogID(callID: r.headers[.callID] ?? "", localTag: toTag ?? "")
            if let call = calls.removeValue(forKey: id) {
                unacknowledged.acknowledged(id)
                call.hangUp?.cancel()
                ended += 1
                tx.respond(status: 200)
                media?.ended(callID: id.callID)
            } else {
                tx.respond(status: 481)
            }
        default:
            // Re-INVITE, UPDATE, INFO ...: a request in a dialog we do not know gets 481
            // (§12.2.2); an offer to move to T.38 fax (`m=image`) is the media's to answer on
            // a call scripted `fax,t38`, else 488 (a fax machine on G.711 that does not speak
            // T.38); anything else 200.
            let id = DialogID(callID: r.headers[.callID] ?? "", localTag: toTag ?? "")
            guard let call = calls[id] else { return tx.respond(status: 481) }
            guard Self.offersImage(r) else { return tx.respond(status: 200) }
            guard call.script.fax, call.script.t38, let media else { return tx.respond(status: 488) }
            switchToT38(tx, media: media)
        }
    }

    /// Answers a re-INVITE's T.38 offer with the media's `m=image` (200 with Contact), or 488
    /// when the media cannot take it.
    private func switchToT38(_ tx: SIPServerTransaction, media: InboundMedia) {
        let local = localAddress(tx)
        let offer = tx.request.body, callID = tx.request.headers[.callID] ?? ""
        Task {
            let answer = await media.switchToT38(offer: offer, callID: callID, localAddress: local?.ipAddress ?? "127.0.0.1")
            self.eventLoop.execute {
                guard let answer else { return tx.respond(status: 488) }
                let headers = [SIPHeaderField(.contact, self.contact(local, tx).description), SIPHeaderField(.contentType, "application/sdp")]
                tx.respond(SIPResponseFactory.response(to: tx.request, status: 200, headers: headers, body: answer))
            }
        }
    }

    /// Whether `r` offers a T.38 stream (RFC 3362: `m=image` with a port).
    private static func offersImage(_ r: SIPRequest) -> Bool {
        guard r.method == .invite, !r.body.isEmpty, let offer = try? SDPParser().parse(r.body) else { return false }
        return offer.media.contains { $0.media.lowercased() == "image" && $0.port != 0 }
    }

    /// False (and 403 sent) when the source is not a configured peer.
    private func admitted(_ tx: SIPServerTransaction) -> Bool {
        if allowedPeers.allows(tx.inbound.source) { return true }
        refusedPeers += 1
        logger.notice("refused a request from a source that is not a configured peer", metadata: ["source": "\(tx.inbound.source)", "method": "\(tx.request.method)"])
        finish(tx, status: 403, reason: SIPPeerAllowList.refusal)
        return false
    }

    private var capabilities: [SIPHeaderField] {
        [
            SIPHeaderField(.allow, policy.allowedMethods.map(\.rawValue).joined(separator: ", ")),
            SIPHeaderField(.accept, policy.acceptedContentTypes.joined(separator: ", ")),
            SIPHeaderField(.supported, policy.supportedOptionTags.sorted().joined(separator: ", ")),
        ]
    }

    /// Rings, then does what the script says; with early media the audio starts with a 183.
    private func play(_ script: CallScript, on tx: SIPServerTransaction) {
        guard script.earlyMedia, media != nil, !tx.request.body.isEmpty else {
            tx.respond(status: 180)
            return schedule(script, on: tx)
        }
        setUpMedia(tx, script: script) { [weak self] answer, local in
            guard let self else { return }
            self.earlyAnswers[tx.key] = answer
            var headers = [SIPHeaderField(.contentType, "application/sdp")]
            headers.append(SIPHeaderField(.contact, self.contact(local, tx).description))
            tx.respond(SIPResponseFactory.response(to: tx.request, status: 183, toTag: tx.localTag, headers: headers, body: answer))
            self.schedule(script, on: tx)
        }
    }

    /// The script's outcome after its ringing time (a call that is never answered gives up
    /// with 480 after an hour, as a trunk would).
    private func schedule(_ script: CallScript, on tx: SIPServerTransaction) {
        let delay: Duration = script.outcome == .noAnswer ? .seconds(3600) : .milliseconds(Int64(script.ringSeconds * 1000))
        ringing[tx.key] = eventLoop.scheduleTask(in: delay.timeAmount) { [weak self] in
            guard let self, self.ringing.removeValue(forKey: tx.key) != nil else { return }
            let early = self.earlyAnswers.removeValue(forKey: tx.key)
            let status: Int
            switch script.outcome {
            case .answer:
                if let early { return self.sendSuccess(tx, body: early, script: script) }
                return self.accept(tx, script: script)
            case .busy: status = 486
            case .noAnswer: status = 480
            case .reject(let code): status = code
            }
            if early != nil { self.media?.ended(callID: tx.request.headers[.callID] ?? "") }
            self.finish(tx, status: status)
        }
    }

    private func accept(_ tx: SIPServerTransaction, script: CallScript) {
        guard media != nil, !tx.request.body.isEmpty else {
            let address = localAddress(tx)?.ipAddress ?? "127.0.0.1"
            let body = tx.request.body.isEmpty ? [] : Array(AutoAnswerUAS.rejectingAnswer(to: tx.request.body, address: address).utf8)
            return sendSuccess(tx, body: body, script: script)
        }
        setUpMedia(tx, script: script) { [weak self] answer, _ in
            self?.sendSuccess(tx, body: answer, script: script)
        }
    }

    /// Asks the media side for the SDP answer, off the event loop, and continues on it with
    /// the answer; 488 when nothing offered fits. A CANCEL in the meantime wins.
    private func setUpMedia(_ tx: SIPServerTransaction, script: CallScript, then: @escaping @Sendable ([UInt8], SocketAddress?) -> Void) {
        guard let media else { return }
        let local = localAddress(tx)
        let address = local?.ipAddress ?? "127.0.0.1"
        let offer = tx.request.body, callID = tx.request.headers[.callID] ?? ""
        answering.insert(tx.key)
        Task {
            let answer = await media.answer(offer: offer, callID: callID, script: script, localAddress: address)
            self.eventLoop.execute {
                guard self.answering.remove(tx.key) != nil else {
                    if answer != nil { media.ended(callID: callID) }
                    return
                }
                if let answer { then(answer, local) } else { self.finish(tx, status: 488) }
            }
        }
    }

    private func localAddress(_ tx: SIPServerTransaction) -> SocketAddress? {
        transactions.transport.localAddress(for: tx.inbound.transport, family: tx.inbound.source)
    }

    private func contact(_ local: SocketAddress?, _ tx: SIPServerTransaction) -> SIPAddress {
        SIPAddress(uri: SIPURI(host: local?.sipHost ?? "127.0.0.1", port: local?.port,
                               parameters: tx.inbound.transport == .udp ? [] : [SIPParameter("transport", tx.inbound.transport.uriParameter)]))
    }

    /// The 200 with this side's Contact and `body` (an SDP answer), resent until the ACK.
    private func sendSuccess(_ tx: SIPServerTransaction, body: [UInt8], script: CallScript) {
        let local = localAddress(tx)
        var extra = [SIPHeaderField(.contact, contact(local, tx).description)] + capabilities
        if !body.isEmpty { extra.append(SIPHeaderField(.contentType, "application/sdp")) }
        let ok = SIPResponseFactory.response(to: tx.request, status: 200, toTag: tx.localTag, headers: extra, body: body)
        answered += 1
        finalResponses[200, default: 0] += 1
        let id = DialogID(callID: tx.request.headers[.callID] ?? "", localTag: tx.localTag)
        if let dialog = SIPDialog(request: tx.request, localTag: tx.localTag, confirmed: true) {
            calls[id] = AnsweredCall(dialog: dialog, peer: SIPDestination(address: tx.inbound.source, transport: tx.inbound.transport), script: script)
        }
        let logger = logger
        unacknowledged.send(ok, on: tx, key: id) { [weak self] in
            logger.warning("no ACK for 2xx", metadata: ["call-id": "\(id.callID)"])
            self?.eventLoop.execute { self?.hangUp(id) }
        }
    }

    /// Ends an answered call from this side: BYE (§15.1.1) to where the INVITE came from.
    private func hangUp(_ id: DialogID) {
        guard var call = calls.removeValue(forKey: id) else { return }
        call.hangUp?.cancel()
        unacknowledged.acknowledged(id)
        media?.ended(callID: id.callID)
        ended += 1
        let local = transactions.transport.localAddress(for: call.peer.transport, family: call.peer.address)
        let via = Via(transport: call.peer.transport.rawValue, host: local?.sipHost ?? "127.0.0.1", port: local?.port,
                      parameters: [SIPParameter("branch", SIPIdentifiers.branch()), SIPParameter("rport")])
        let bye = call.dialog.request(.bye, via: via)
        transactions.sendRequest(bye, to: call.peer) { _ in }
    }

    private func ack(_ inbound: SIPInboundMessage) {
        guard case .request(let ack) = inbound.message else { return }
        let toTag = ack.headers[.to].flatMap { try? SIPAddress(parsing: $0) }?.tag ?? ""
        let id = DialogID(callID: ack.headers[.callID] ?? "", localTag: toTag)
        guard unacknowledged.acknowledged(id), var call = calls[id], !call.confirmed else { return }
        call.confirmed = true
        if let seconds = call.script.hangUpDelay() {
            call.hangUp = eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { [weak self] in self?.hangUp(id) }
        }
        calls[id] = call
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
    /// the media running from now on (with the script's DTMF to send); nil when nothing
    /// offered fits (the call gets 488).
    func answer(offer: [UInt8], callID: String, script: CallScript, localAddress: String) async -> [UInt8]?
    /// The call ended (BYE either way, CANCEL, a failure after early media, or no ACK came):
    /// release its audio.
    func ended(callID: String)
    /// The far end offers T.38 (`m=image`) in a re-INVITE of a call scripted `fax,t38`: the
    /// call's fax moves to T.38 and the SDP answer is returned; nil refuses it (488).
    func switchToT38(offer: [UInt8], callID: String, localAddress: String) async -> [UInt8]?
}

extension InboundMedia {
    /// Media that do not fax refuse T.38.
    public func switchToT38(offer: [UInt8], callID: String, localAddress: String) async -> [UInt8]? { nil }
}
