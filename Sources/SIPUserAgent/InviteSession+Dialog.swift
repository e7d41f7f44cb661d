import SDP
import SIPCore

/// The confirmed dialog, the same in both directions: requests from the far end (RFC 3261
/// §12.2.2), offer/answer on re-INVITE and UPDATE (§14.2, RFC 3311, RFC 3264 §8), this side's
/// BYE (§15.1.1), and session-timer refreshes and expiry (RFC 4028 §10).
extension InviteSession {
    /// A request the dispatcher routed to this session. Its tags must name the dialog (481
    /// otherwise) and its CSeq must be in order (500 otherwise, §12.2.2).
    mutating func receive(_ r: SIPRequest, at now: Duration, _ out: inout [Action]) {
        guard var d = dialog, d.id.remoteTag == (try? r.headers.from())??.tag, d.id.localTag == (try? r.headers.to())??.tag else {
            out.append(.respond(Self.response(to: r, status: 481)))
            return
        }
        guard d.acceptRemoteSequence(of: r) else {
            out.append(.respond(Self.response(to: r, status: 500, reason: "CSeq Out of Order")))
            return
        }
        dialog = d
        switch r.method {
        case .bye:
            out.append(.respond(Self.response(to: r, status: 200)))
            guard phase == .confirmed else { return }
            result.q850 = Q850Cause(r.headers) ?? result.q850
            result.hungUpBy = .remote
            finish(result, at: now, &out)
        case .invite:
            answerReInvite(r, &out)
        case .update:
            answerUpdate(r, &out)
        case .notify:
            receiveNotify(r, at: now, &out)
        case .refer:
            receiveRefer(r, &out)
        case .info, .options:
            out.append(.respond(Self.response(to: r, status: 200)))
        default:
            // §8.2.1: a method sipdial knows but does not take in a dialog is 405 with Allow;
            // one it does not know is 501 (§21.5.2).
            let allow = configuration.capabilities.filter { $0.name == .allow }
            out.append(.respond(SIPMethod.known.contains(r.method) ? Self.response(to: r, status: 405, headers: allow)
                                                                   : Self.response(to: r, status: 501)))
        }
    }

    static func response(to r: SIPRequest, status: Int, reason: String? = nil, headers: [SIPHeaderField] = [], body: [UInt8] = []) -> SIPResponse {
        SIPResponseFactory.response(to: r, status: status, reason: reason, headers: headers, body: body)
    }

    /// The answer to a re-offer in the dialog (RFC 3264 §8: new address, codec, hold or
    /// resume), with the change of audio reported; with no offer, the current session as a
    /// new version. Nil when there is no answer now: an offer the owner answers is held for it
    /// (`ownerMediaTypes`); 491 while this side's own offer is pending (§14.2, RFC 3311 §5.2),
    /// 500 with Retry-After while an earlier offer is still being answered (§14.2), 488 when
    /// nothing fits. A refused offer leaves the session, and its version, as they were.
    private mutating func answerOffer(in r: SIPRequest, _ out: inout [Action]) -> [UInt8]? {
        guard heldOffer == nil else {
            out.append(.respond(Self.response(to: r, status: 500, headers: [SIPHeaderField(.retryAfter, String(Int(10 * random())))])))
            return nil
        }
        guard !offerPending, var next = media else {
            out.append(.respond(Self.response(to: r, status: 491)))
            return nil
        }
        if r.body.isEmpty { return currentOffer() }
        let theirOffer = try? SDPParser().parse(r.body)
        if let theirOffer, theirOffer.media.contains(where: { $0.port != 0 && configuration.ownerMediaTypes.contains($0.media) }) {
            heldOffer = r
            out.append(.report(.offerReceived(sdp: r.body)))
            return nil
        }
        guard let theirOffer, let (answer, audio) = try? next.answer(theirOffer) else {
            out.append(.respond(Self.response(to: r, status: 488)))
            return nil
        }
        media = next
        ownerSDP = nil
        out.append(.report(.mediaChanged(audio)))
        return answer
    }

    /// §14.2: a re-INVITE with an offer gets offer/answer, one without gets the current
    /// session as a new offer.
    private mutating func answerReInvite(_ r: SIPRequest, _ out: inout [Action]) {
        guard let body = answerOffer(in: r, &out) else { return }
        acceptReInvite(r, answer: body, &out)
    }

    /// The 2xx to a re-INVITE, resent until the ACK (§13.3.1.4); it refreshes the target
    /// and the session timer.
    mutating func acceptReInvite(_ r: SIPRequest, answer body: [UInt8], _ out: inout [Action]) {
        dialog?.refreshTarget(from: r.headers)
        let headers = [SIPHeaderField(.contact, configuration.contact.description), SIPHeaderField(.contentType, "application/sdp")]
            + refreshAnswerHeaders(r, &out)
        if let number = (try? r.headers.cseq())?.sequence { unacknowledged.insert(number) }
        out.append(.respondUntilAcknowledged(Self.response(to: r, status: 200, headers: headers, body: body)))
    }

    /// RFC 3311 §5.2: an UPDATE refreshes the target and the session timer; with an offer it
    /// gets an answer.
    private mutating func answerUpdate(_ r: SIPRequest, _ out: inout [Action]) {
        if r.body.isEmpty {
            acceptUpdate(r, answer: [], &out)
        } else if let answer = answerOffer(in: r, &out) {
            acceptUpdate(r, answer: answer, &out)
        }
    }

    /// The 2xx to an UPDATE (with the answer when it carried an offer); it refreshes the
    /// target and the session timer.
    mutating func acceptUpdate(_ r: SIPRequest, answer body: [UInt8], _ out: inout [Action]) {
        var headers = [SIPHeaderField(.contact, configuration.contact.description)]
        if !body.isEmpty { headers.append(SIPHeaderField(.contentType, "application/sdp")) }
        dialog?.refreshTarget(from: r.headers)
        headers += refreshAnswerHeaders(r, &out)
        out.append(.respond(Self.response(to: r, status: 200, headers: headers, body: body)))
    }

    /// RFC 4028 §9: a refresh from the far end restarts the timer; its 2xx repeats
    /// Session-Expires with the refresher chosen (the far end when it did not say).
    private mutating func refreshAnswerHeaders(_ r: SIPRequest, _ out: inout [Action]) -> [SIPHeaderField] {
        guard let se = (try? r.headers.sessionExpires()) ?? nil, let value = UInt32(se.value) else {
            startSessionTimer(nil, &out)
            return []
        }
        let refresher = (se.parameters[parameter: "refresher"] ?? nil)?.lowercased() ?? "uac"
        let timer = SessionTimer(interval: value, weRefresh: refresher == "uas")
        startSessionTimer(timer, &out)
        var headers = [timer.header(refresher: refresher)]
        if r.headers.tokens(.supported).contains(where: { $0.caseInsensitiveEquals("timer") }) {
            headers.append(SIPHeaderField(.require, "timer"))
        }
        return headers
    }

    // MARK: BYE

    /// Ends the confirmed call with BYE carrying `reason` (RFC 3326). The session is over as
    /// soon as the BYE is handed to its transaction (§15.1.1): the end is reported now, and
    /// the BYE's answer — or a far end that never answers — changes nothing (the session
    /// still takes messages for 64·T1, so a 401/407 is answered).
    mutating func bye(reason: Q850Cause, at now: Duration, _ out: inout [Action]) {
        guard phase == .confirmed, var d = dialog else { return }
        if result.hungUpBy == nil { result.hungUpBy = .local }
        let request = d.request(.bye, via: freshVia(), headers: [reason.header])
        dialog = d
        out.append(.send(request, hop: d.nextHop, purpose: .bye))
        finish(result, at: now, &out)
    }

    /// The outcome of an in-dialog request this side sent. A 401/407 is answered once with
    /// credentials (§22.2) under a new CSeq; provisionals change nothing.
    mutating func requestOutcome(_ purpose: Purpose, _ request: SIPRequest, _ outcome: Outcome, at now: Duration, _ out: inout [Action]) {
        if case .response(let r) = outcome {
            if r.isProvisional { return }
            if r.statusCode == 401 || r.statusCode == 407, purpose != .prack, purpose != .forkBye, var auth = authenticator,
               case .retry(let retry) = auth.handle(r, to: request), let d = dialog {
                authenticator = auth
                if let n = (try? retry.headers.cseq())?.sequence { dialog?.advanceLocalSequence(to: n) }
                out.append(.send(retry, hop: d.nextHop, purpose: purpose))
                return
            }
        }
        switch purpose {
        case .prack, .bye, .forkBye, .notify: break
        case .refresh: refreshAnswered(request, outcome, at: now, &out)
        case .reoffer: reofferAnswered(request, outcome, at: now, &out)
        case .refer:
            if case .response(let r) = outcome, r.isSuccess { return }
            let code: Int? = if case .response(let r) = outcome { r.statusCode } else { nil }
            transferEnded(code: code, at: now, &out)
        }
    }

    // MARK: Session timer (RFC 4028 §10)

    mutating func startSessionTimer(_ timer: SessionTimer?, _ out: inout [Action]) {
        disarm(.refresh, &out)
        disarm(.expiry, &out)
        sessionTimer = timer
        guard let timer, phase == .confirmed else { return }
        if timer.weRefresh {
            arm(.refresh, after: timer.refreshAfter, &out)
        } else {
            arm(.expiry, after: timer.expiresAfter, &out)
        }
    }

    /// Refreshes the session with UPDATE when the far end allows it, else re-INVITE with the
    /// current session as the offer. While another offer is pending or being answered, it
    /// tries again 2 s later.
    mutating func refreshSession(_ out: inout [Action]) {
        guard phase == .confirmed, let timer = sessionTimer else { return }
        guard !offerPending, heldOffer == nil else {
            arm(.refresh, after: .seconds(2), &out)
            return
        }
        guard var d = dialog else { return }
        var headers = [timer.header(refresher: "uac"), SIPHeaderField(.supported, "timer")]
        let request: SIPRequest
        if peerAllowsUpdate {
            request = d.request(.update, via: freshVia(), contact: configuration.contact, headers: headers)
        } else {
            headers.append(SIPHeaderField(.contentType, "application/sdp"))
            request = d.request(.invite, via: freshVia(), contact: configuration.contact, headers: headers, body: currentOffer())
        }
        dialog = d
        offerPending = true
        out.append(.send(request, hop: d.nextHop, purpose: .refresh))
    }

    /// A 2xx restarts the timer (a re-INVITE's is acknowledged); a 491 is retried after
    /// 2.1–4 s (§14.1: the owner of the Call-ID waits that long); 408 or 481 ends the call
    /// (RFC 4028 §10); another failure leaves the refreshing to the far end.
    private mutating func refreshAnswered(_ request: SIPRequest, _ outcome: Outcome, at now: Duration, _ out: inout [Action]) {
        offerPending = false
        guard phase == .confirmed, let timer = sessionTimer else { return }
        guard case .response(let r) = outcome else {
            bye(reason: Q850Cause(102, text: "Session refresh timed out"), at: now, &out)
            return
        }
        if r.isSuccess {
            if request.method == .invite { acknowledge(request, &out) }
            dialog?.refreshTarget(from: r.headers)
            startSessionTimer(SessionTimer(answeredBy: r) ?? timer, &out)
        } else if r.statusCode == 491 {
            arm(.refresh, after: glareDelay, &out)
        } else if r.statusCode == 408 || r.statusCode == 481 {
            bye(reason: Q850Cause(102, text: "Session refresh failed"), at: now, &out)
        } else {
            startSessionTimer(SessionTimer(interval: timer.interval, weRefresh: false), &out)
        }
    }

    /// How long the owner of the Call-ID waits before trying again after a 491 (§14.1:
    /// 2.1 to 4 s).
    var glareDelay: Duration { .milliseconds(2100 + Int(1900 * random())) }

    /// ACK for the 2xx to a re-INVITE this side sent (§13.2.2.4).
    mutating func acknowledge(_ reInvite: SIPRequest, _ out: inout [Action]) {
        guard var d = dialog else { return }
        let ack = d.request(.ack, via: freshVia(), sequence: (try? reInvite.headers.cseq())?.sequence)
        dialog = d
        out.append(.sendAck(ack, hop: d.nextHop))
    }
}
