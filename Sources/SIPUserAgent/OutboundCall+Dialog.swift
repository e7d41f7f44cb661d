import NIOCore
import SDP
import SIPCore
import SIPTransaction
import SIPTransport

/// The confirmed dialog of an outbound call: requests from the far end (RFC 3261 §12.2.2),
/// this side's BYE (§15.1.1), and session-timer refreshes and expiry (RFC 4028 §10).
extension OutboundCall: SIPSessionEndpoint {
    func receive(_ tx: SIPServerTransaction) {
        let r = tx.request
        guard SIPDialog.admit(tx, into: &dialog) else { return }
        switch r.method {
        case .bye:
            tx.respond(status: 200)
            guard phase == .confirmed else { return }
            result.q850 = Q850Cause(r.headers) ?? result.q850
            result.hungUpBy = .remote
            finish(result)
        case .invite:
            answerReInvite(tx)
        case .update:
            dialog?.refreshTarget(from: r.headers)
            tx.respond(status: 200, headers: [SIPHeaderField(.contact, contactAddress.description)] + refreshAnswerHeaders(r),
                       body: r.body.isEmpty ? [] : nextAnswer())
        case .notify:
            receiveNotify(tx)
        case .refer:
            receiveRefer(tx)
        case .info, .options:
            tx.respond(status: 200)
        default:
            tx.respond(status: 501)
        }
    }

    func receiveAck(_ ack: SIPRequest) {
        if let number = (try? ack.headers.cseq())?.sequence { reInviteAnswers.acknowledged(number) }
    }

    func receiveStray(_ response: SIPResponse) {
        guard response.isSuccess, (try? response.headers.cseq())?.method == .invite,
              (try? response.headers.cseq())?.sequence == (try? invite?.headers.cseq())??.sequence else { return }
        // A 2xx after the INVITE transaction ended: ACK it again, or end an extra fork.
        inviteAnswered(response)
    }

    /// §14.2: a re-INVITE with an SDP offer is answered by offer/answer (RFC 3264 §8: new
    /// address, codec, hold or resume; 488 when nothing fits), one without SDP with the
    /// current session as a new offer; the 2xx is resent until the ACK. One that arrives while
    /// this side's own re-INVITE is pending gets 491.
    private func answerReInvite(_ tx: SIPServerTransaction) {
        if refreshPending {
            tx.respond(status: 491)
            return
        }
        let r = tx.request
        var body = nextAnswer
        var changed: NegotiatedAudio?
        if !r.body.isEmpty {
            guard let theirOffer = try? SDPParser().parse(r.body), let (answer, audio) = try? offer.answer(theirOffer) else {
                tx.respond(status: 488)
                return
            }
            body = { answer }
            changed = audio
        }
        dialog?.refreshTarget(from: r.headers)
        let headers = [SIPHeaderField(.contact, contactAddress.description), SIPHeaderField(.contentType, "application/sdp")]
            + refreshAnswerHeaders(r)
        let ok = SIPResponseFactory.response(to: r, status: 200, toTag: localTag, headers: headers, body: body())
        if let changed { onEvent(.mediaChanged(changed)) }
        let number = (try? r.headers.cseq())?.sequence ?? 0
        reInviteAnswers.send(ok, on: tx, key: number) { [weak self] in
            self?.eventLoop.execute { self?.bye(reason: Q850Cause(41, text: "No ACK for re-INVITE")) }
        }
    }

    /// The SDP of this side for an answer or a new offer: the same session, version + 1
    /// (RFC 3264 §8).
    func nextAnswer() -> [UInt8] {
        offer.nextVersion()
        return offer.body
    }

    /// RFC 4028 §9: a refresh from the far end restarts the timer; its 2xx repeats
    /// Session-Expires with the refresher chosen (the far end when it did not say).
    private func refreshAnswerHeaders(_ r: SIPRequest) -> [SIPHeaderField] {
        guard let se = (try? r.headers.sessionExpires()) ?? nil, let value = UInt32(se.value) else {
            startSessionTimer(nil)
            return []
        }
        let refresher = (se.parameters[parameter: "refresher"] ?? nil)?.lowercased() ?? "uac"
        let timer = SessionTimer(interval: value, weRefresh: refresher == "uas")
        startSessionTimer(timer)
        var headers = [timer.header(refresher: refresher)]
        if r.headers.tokens(.supported).contains(where: { $0.caseInsensitiveEquals("timer") }) {
            headers.append(SIPHeaderField(.require, "timer"))
        }
        return headers
    }

    // MARK: BYE

    /// Ends the confirmed call with BYE carrying `reason` (RFC 3326). The session is over as
    /// soon as the BYE is handed to its transaction (RFC 3261 §15.1.1): the call reports its
    /// end now, and the BYE's answer — or a far end that never answers — changes nothing (the
    /// session stays in the dispatcher for 64·T1, so a 401/407 is still answered).
    func bye(reason: Q850Cause) {
        guard phase == .confirmed, var d = dialog else { return }
        if result.hungUpBy == nil { result.hungUpBy = .local }
        let request = d.request(.bye, via: freshVia(), headers: [reason.header])
        dialog = d
        sendInDialog(request) { _ in }
        finish(result)
    }

    /// Sends a request in the dialog and answers one 401/407 with credentials (§22.2).
    func sendInDialog(_ request: SIPRequest, _ done: @escaping @Sendable (SIPClientTransactionEvent) -> Void) {
        guard let d = dialog else { return }
        let send: @Sendable (SIPDestination) -> Void = { [weak self] destination in
            self?.transactions.sendRequest(request, to: destination) { [weak self] event in
                guard let self else { return }
                if case .response(let r) = event, r.statusCode == 401 || r.statusCode == 407, var auth = self.authenticator,
                   case .retry(let retry) = auth.handle(r, to: request) {
                    self.authenticator = auth
                    if let n = (try? retry.headers.cseq())?.sequence { self.dialog?.advanceLocalSequence(to: n) }
                    self.sendInDialog(retry, done)
                } else if case .response(let r) = event, r.isProvisional {
                    return
                } else {
                    done(event)
                }
            }
        }
        if let dialogDestination { send(dialogDestination) } else { nextHop(of: d, send) }
    }

    // MARK: Session timer (RFC 4028 §10)

    func startSessionTimer(_ timer: SessionTimer?) {
        sessionTimerTask?.cancel()
        sessionTimer = timer
        guard let timer, phase == .confirmed else { return }
        if timer.weRefresh {
            sessionTimerTask = eventLoop.scheduleTask(in: timer.refreshAfter.timeAmount) { [weak self] in self?.refreshSession() }
        } else {
            sessionTimerTask = eventLoop.scheduleTask(in: timer.expiresAfter.timeAmount) { [weak self] in
                self?.bye(reason: Q850Cause(102, text: "Session timer expired"))
            }
        }
    }

    /// Refreshes the session with UPDATE when the far end allows it, else re-INVITE; a 491
    /// is retried after 2.1–4 s (§14.1, this side owns the Call-ID); 408 or 481 ends the call.
    private func refreshSession() {
        guard phase == .confirmed, var d = dialog, let timer = sessionTimer else { return }
        let useUpdate = peerAllowsUpdate
        var headers = [timer.header(refresher: "uac"), SIPHeaderField(.supported, "timer")]
        let request: SIPRequest
        if useUpdate {
            request = d.request(.update, via: freshVia(), contact: contactAddress, headers: headers)
        } else {
            headers.append(SIPHeaderField(.contentType, "application/sdp"))
            request = d.request(.invite, via: freshVia(), contact: contactAddress, headers: headers, body: nextAnswer())
        }
        dialog = d
        refreshPending = true
        sendInDialog(request) { [weak self] event in
            guard let self else { return }
            self.refreshPending = false
            guard case .response(let r) = event else {
                self.bye(reason: Q850Cause(102, text: "Session refresh timed out"))
                return
            }
            if r.isSuccess {
                if request.method == .invite, var d = self.dialog, let destination = self.dialogDestination {
                    let ack = d.request(.ack, via: self.freshVia(), sequence: (try? request.headers.cseq())?.sequence)
                    self.dialog = d
                    _ = self.transactions.sendStateless(.request(ack), to: destination)
                }
                self.dialog?.refreshTarget(from: r.headers)
                self.startSessionTimer(SessionTimer(answeredBy: r) ?? timer)
            } else if r.statusCode == 491 {
                self.sessionTimerTask = self.eventLoop.scheduleTask(in: .milliseconds(Int64.random(in: 2100...4000))) { [weak self] in
                    self?.refreshSession()
                }
            } else if r.statusCode == 408 || r.statusCode == 481 {
                self.bye(reason: Q850Cause(102, text: "Session refresh failed"))
            } else {
                self.startSessionTimer(SessionTimer(interval: timer.interval, weRefresh: false))
            }
        }
    }
}
