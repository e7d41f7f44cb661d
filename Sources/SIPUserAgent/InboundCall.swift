import NIOCore
import SDP
import SIPCore
import SIPTransaction
import SIPTransport

/// A UAS INVITE session (RFC 3261 §13.3): a call a peer placed to sipdial. `accept` sends the
/// 200 with this side's SDP answer (unless a CANCEL ended the INVITE first), resent until the ACK (§13.3.1.4; no ACK within 64·T1 ends
/// the call with BYE); the far end's BYE is answered and ends it; `hangUp` sends BYE. Other
/// in-dialog requests get 200 (INFO, OPTIONS, UPDATE and re-INVITE without a change of
/// media, which keeps this side's answer), 481 outside the dialog. It reports through the
/// same events as an `OutboundCall`, so a flow runs on either.
/// Confined to the transaction layer's event loop.
public final class InboundCall: @unchecked Sendable {
    public let invite: SIPServerTransaction
    public var callID: String { invite.request.headers[.callID] ?? "" }
    let dispatcher: SIPSessionDispatcher
    private let onEvent: @Sendable (OutboundCall.Event) -> Void
    private var dialog: SIPDialog?
    private let retransmitter: SuccessRetransmitter<String>
    private var answerBody: [UInt8] = []
    private var contact: SIPAddress?
    private var started = NIODeadline.now()
    private var result = CallResult(outcome: .answered)
    private var ended = false
    private var transactions: SIPTransactionLayer { dispatcher.transactions }
    private var peer: SIPDestination { SIPDestination(address: invite.inbound.source, transport: invite.inbound.transport) }

    public init(invite: SIPServerTransaction, dispatcher: SIPSessionDispatcher, onEvent: @escaping @Sendable (OutboundCall.Event) -> Void) {
        self.invite = invite
        self.dispatcher = dispatcher
        self.onEvent = onEvent
        retransmitter = SuccessRetransmitter(transactions: dispatcher.transactions)
    }

    /// Answers with `sdp` (this side's SDP answer) and `contact`; the call is up from now on.
    /// When the caller cancelled while the answer was being prepared (the INVITE already
    /// ended with 487, §9.2), nothing is sent and the call ends as `cancelled`.
    public func accept(sdp: [UInt8], contact: SIPAddress) {
        transactions.eventLoop.execute { [self] in
            guard !ended else { return }
            if dispatcher.wasCancelled(invite.key) {
                ended = true
                result = CallResult(outcome: .cancelled)
                result.sipCode = 487
                result.hungUpBy = .remote
                onEvent(.ended(result))
                return
            }
            guard let dialog = SIPDialog(request: invite.request, localTag: invite.localTag, confirmed: true) else { return }
            self.dialog = dialog
            self.contact = contact
            answerBody = sdp
            started = .now()
            dispatcher.add(self, callID: callID)
            var headers = [SIPHeaderField(.contact, contact.description)] + dispatcher.capabilities
            headers.append(SIPHeaderField(.contentType, "application/sdp"))
            let ok = SIPResponseFactory.response(to: invite.request, status: 200, toTag: invite.localTag, headers: headers, body: sdp)
            result.sipCode = 200
            result.answered = 0
            retransmitter.send(ok, on: invite, key: callID) { [weak self] in
                self?.transactions.eventLoop.execute { self?.bye(reason: "no ACK for the 2xx") }
            }
            onEvent(.answered(sdp: sdp))
        }
    }

    /// Ends the answered call with BYE (§15.1.1).
    public func hangUp() {
        transactions.eventLoop.execute { self.bye(reason: nil) }
    }

    private func bye(reason: String?) {
        guard !ended, var d = dialog else { return }
        retransmitter.acknowledged(callID)
        let local = transactions.transport.localAddress(for: peer.transport, family: peer.address)
        let via = Via(transport: peer.transport.rawValue, host: local?.sipHost ?? "127.0.0.1", port: local?.port,
                      parameters: [SIPParameter("branch", SIPIdentifiers.branch()), SIPParameter("rport")])
        let request = d.request(.bye, via: via)
        dialog = d
        transactions.sendRequest(request, to: peer) { _ in }
        result.hungUpBy = .local
        result.reason = reason
        finish()
    }

    private func finish() {
        guard !ended else { return }
        ended = true
        result.ended = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        let callID = callID
        transactions.timerWheel.schedule(in: transactions.timers.transactionTimeout.timeAmount) { [weak self] in
            self?.dispatcher.remove(callID: callID)
        }
        onEvent(.ended(result))
    }
}

extension InboundCall: SIPSessionEndpoint {
    func receive(_ tx: SIPServerTransaction) {
        let r = tx.request
        guard SIPDialog.admit(tx, into: &dialog) else { return }
        switch r.method {
        case .bye:
            tx.respond(status: 200)
            retransmitter.acknowledged(callID)
            guard !ended else { return }
            result.q850 = Q850Cause(r.headers) ?? result.q850
            result.hungUpBy = .remote
            finish()
        case .invite, .update:
            // A refresh (session timer) or a re-offer: this side keeps its answer (§14.2).
            var headers = [SIPHeaderField(.contact, contact?.description ?? "")]
            if !r.body.isEmpty { headers.append(SIPHeaderField(.contentType, "application/sdp")) }
            tx.respond(status: 200, headers: headers, body: r.body.isEmpty ? [] : answerBody)
        case .info, .options, .notify:
            tx.respond(status: 200)
        default:
            tx.respond(status: 405, headers: dispatcher.capabilities)
        }
    }

    func receiveAck(_ ack: SIPRequest) {
        retransmitter.acknowledged(callID)
    }

    func receiveStray(_ response: SIPResponse) {}
}
