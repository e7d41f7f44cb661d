import SDP
import SIPCore

/// How a session comes up: the UAC's INVITE and its responses (RFC 3261 §13.2), PRACK for
/// reliable provisionals (RFC 3262 §7.2), forked answers (§13.2.2.4), challenges (§22.2),
/// 422 (RFC 4028 §7.4) and CANCEL (§9.1); the UAS's answer (§13.3.1.4).
extension InviteSession {
    // MARK: UAC

    mutating func start(at now: Duration, _ out: inout [Action]) {
        guard phase == .idle, case .uac(let outgoing) = configuration.role, let media else { return }
        phase = .calling
        started = now
        var from = outgoing.from
        from.parameters.append(SIPParameter("tag", localTag))
        var extra = outgoing.headers
        extra += configuration.capabilities.filter { $0.name == .allow }
        extra.append(SIPHeaderField(.supported, "100rel, timer"))
        if let se = outgoing.sessionExpires {
            extra.append(SIPHeaderField(.sessionExpires, String(se)))
        }
        let invite = SIPRequestFactory.request(method: .invite, uri: outgoing.target, via: freshVia(), from: from,
                                               to: outgoing.to ?? SIPAddress(uri: outgoing.target), callID: callID, cseq: 1,
                                               contact: configuration.contact, headers: extra, contentType: "application/sdp",
                                               body: media.body)
        setup.invite = invite
        out.append(.sendInvite(invite))
        arm(.ring, after: outgoing.ringTimeout, &out)
    }

    mutating func inviteResponse(_ r: SIPResponse, at now: Duration, _ out: inout [Action]) {
        if r.isProvisional {
            provisional(r, at: now, &out)
        } else if r.isSuccess {
            inviteAnswered(r, at: now, &out)
        } else {
            failure(r, at: now, &out)
        }
    }

    private mutating func provisional(_ r: SIPResponse, at now: Duration, _ out: inout [Action]) {
        guard phase == .calling else { return }
        if result.firstResponse == nil { result.firstResponse = elapsed(now) }
        if result.ringing == nil, r.statusCode == 180 || r.statusCode == 183 { result.ringing = elapsed(now) }
        if r.statusCode > 100, !isRetransmittedReliable(r) {
            result.provisionals.append(r.statusCode)
            out.append(.report(.progress(r.statusCode)))
            if !r.body.isEmpty, !setup.earlyMediaReported {
                setup.earlyMediaReported = true
                out.append(.report(.earlyMedia(sdp: r.body)))
            }
        }
        setup.gotProvisional = true
        if let invite = setup.invite, let tag = (try? r.headers.to())??.tag, r.statusCode > 100, setup.earlyDialogs[tag] == nil {
            setup.earlyDialogs[tag] = SIPDialog(request: invite, response: r)
        }
        if Self.isReliable(r) { prack(r, &out) }
        if setup.cancelReason != nil { sendCancel(&out) }
    }

    /// A provisional response sent reliably (RFC 3262 §4): Require: 100rel and an RSeq.
    private static func isReliable(_ r: SIPResponse) -> Bool {
        r.headers.tokens(.require).contains { $0.caseInsensitiveEquals("100rel") } && (try? r.headers.rseq()) != nil
    }

    private func isRetransmittedReliable(_ r: SIPResponse) -> Bool {
        guard Self.isReliable(r), let tag = (try? r.headers.to())??.tag, let rseq = (try? r.headers.rseq()) ?? nil,
              let last = setup.lastRSeq[tag] else { return false }
        return rseq <= last
    }

    /// PRACK for a reliable provisional, once per RSeq, in its early dialog (RFC 3262 §7.2).
    private mutating func prack(_ r: SIPResponse, _ out: inout [Action]) {
        guard let tag = (try? r.headers.to())??.tag, let rseq = (try? r.headers.rseq()) ?? nil,
              let cseq = try? r.headers.cseq(), var early = setup.earlyDialogs[tag] else { return }
        if let last = setup.lastRSeq[tag], rseq <= last { return }
        setup.lastRSeq[tag] = rseq
        early.refreshTarget(from: r.headers)
        let request = early.request(.prack, via: freshVia(), headers: [SIPHeaderField(.rack, RAck(responseNumber: rseq, cseq: cseq).description)])
        setup.earlyDialogs[tag] = early
        out.append(.send(request, hop: early.nextHop, purpose: .prack))
    }

    mutating func inviteAnswered(_ r: SIPResponse, at now: Duration, _ out: inout [Action]) {
        guard let tag = (try? r.headers.to())??.tag, let invite = setup.invite else { return }
        if let dialog, dialog.id.remoteTag == tag {
            // §13.2.2.4: every retransmission of the 2xx gets the same ACK.
            if let ack { out.append(.sendAck(ack, hop: dialog.nextHop)) }
            return
        }
        guard var accepted = SIPDialog(request: invite, response: r) else {
            end(outcome: .rejected(code: r.statusCode, reason: "2xx without Contact or To tag"), code: r.statusCode, at: now, &out)
            return
        }
        if dialog != nil || phase != .calling {
            // Another fork answered too: confirm it with ACK, then end it with BYE (§13.2.2.4).
            let forkAck = accepted.request(.ack, via: freshVia(), sequence: accepted.localSequence)
            let bye = accepted.request(.bye, via: freshVia(), headers: [Q850Cause.normalClearing.header])
            out.append(.sendAck(forkAck, hop: accepted.nextHop))
            out.append(.send(bye, hop: accepted.nextHop, purpose: .forkBye))
            return
        }
        disarm(.ring, &out)
        accepted.confirm(by: r)
        let ack = accepted.request(.ack, via: freshVia(), sequence: accepted.localSequence)
        dialog = accepted
        phase = .confirmed
        result.answered = elapsed(now)
        result.sipCode = r.statusCode
        result.reason = r.reasonPhrase
        result.outcome = .answered
        peerAllowsUpdate = r.headers.tokens(.allow).contains { $0.caseInsensitiveEquals("UPDATE") }
        self.ack = ack
        out.append(.sendAck(ack, hop: accepted.nextHop))
        if let reason = setup.cancelReason {
            // The answer crossed this side's CANCEL: the call is up, so it ends with BYE (§9.1).
            bye(reason: reason, at: now, &out)
        } else {
            out.append(.report(.answered(sdp: r.body)))
            startSessionTimer(SessionTimer(answeredBy: r), &out)
        }
    }

    /// A 2xx after the INVITE transaction ended: ACK it again, or end an extra fork.
    mutating func strayResponse(_ r: SIPResponse, at now: Duration, _ out: inout [Action]) {
        guard r.isSuccess, let cseq = try? r.headers.cseq(), cseq.method == .invite,
              let invite = setup.invite, cseq.sequence == (try? invite.headers.cseq())?.sequence else { return }
        inviteAnswered(r, at: now, &out)
    }

    private mutating func failure(_ r: SIPResponse, at now: Duration, _ out: inout [Action]) {
        guard phase == .calling, let invite = setup.invite else { return }
        if r.statusCode == 401 || r.statusCode == 407, var auth = authenticator {
            let outcome = auth.handle(r, to: invite)
            authenticator = auth
            switch outcome {
            case .retry(let retry):
                out.append(.sendInvite(retry))
                return
            case .failed(let why):
                result.q850 = Q850Cause(r.headers)
                end(outcome: .rejected(code: r.statusCode, reason: why), code: r.statusCode, reason: why, at: now, &out)
                return
            }
        }
        if r.statusCode == 422, case .uac(let outgoing) = configuration.role, let minSE = (try? r.headers.minSE()) ?? nil,
           let value = UInt32(minSE.value), let current = outgoing.sessionExpires, value > current,
           let cseq = try? invite.headers.cseq(), cseq.sequence < 5 {
            // RFC 4028 §7.4: retry with the far end's Min-SE.
            var retry = invite
            retry.headers.set(.sessionExpires, String(value))
            retry.headers.set(.minSE, String(value))
            retry.headers.set(.cseq, CSeq(cseq.sequence + 1, .invite).description)
            out.append(.sendInvite(retry))
            return
        }
        result.q850 = Q850Cause(r.headers)
        let outcome: CallOutcome = r.statusCode == 487 && setup.cancelSent ? outcomeOfCancel : CallOutcome(failure: r)
        end(outcome: outcome, code: r.statusCode, reason: r.reasonPhrase, at: now, &out)
    }

    // MARK: CANCEL

    /// Cancels the INVITE (§9.1): at once when a provisional came, otherwise when one comes
    /// (a CANCEL before any response could overtake the INVITE).
    mutating func cancel(_ reason: Q850Cause, _ out: inout [Action]) {
        guard phase == .calling, setup.cancelReason == nil else { return }
        setup.cancelReason = reason
        if setup.gotProvisional { sendCancel(&out) }
    }

    var outcomeOfCancel: CallOutcome {
        setup.cancelReason == .noAnswer ? .noAnswer : .cancelled
    }

    /// CANCEL copies the INVITE's Request-URI, top Via, Route, From, To, Call-ID and CSeq
    /// number (§9.1).
    private mutating func sendCancel(_ out: inout [Action]) {
        guard !setup.cancelSent, let invite = setup.invite, let reason = setup.cancelReason else { return }
        setup.cancelSent = true
        var h = SIPHeaders()
        if let via = invite.headers[.via] { h.append(.via, via) }
        for route in invite.headers.values(.route) { h.append(.route, route) }
        h.append(.maxForwards, "70")
        for name in [SIPHeaderName.from, .to, .callID] { if let v = invite.headers[name] { h.append(name, v) } }
        h.append(.cseq, CSeq((try? invite.headers.cseq())?.sequence ?? 1, .cancel).description)
        h.append(.reason, reason.description)
        h.append(.contentLength, "0")
        out.append(.sendCancel(SIPRequest(method: .cancel, uri: invite.uri, headers: h)))
    }

    // MARK: UAS

    /// Answers the peer's INVITE with `answer` (§13.3.1.4): the 200 is resent until the ACK.
    /// When a CANCEL already ended the INVITE with 487, nothing is sent and the call ends as
    /// cancelled (§9.2).
    mutating func accept(_ answer: AudioOffer, ownerSDP: [UInt8]?, cancelled: Bool, at now: Duration, _ out: inout [Action]) {
        guard phase == .idle, case .uas(let request, let tag) = configuration.role else { return }
        started = now
        if cancelled {
            var cancelledResult = CallResult(outcome: .cancelled)
            cancelledResult.sipCode = 487
            cancelledResult.hungUpBy = .remote
            finish(cancelledResult, at: now, &out)
            return
        }
        guard let accepted = SIPDialog(request: request, localTag: tag, confirmed: true) else {
            let why = "the INVITE has no Contact or From tag"
            out.append(.respond(SIPResponseFactory.response(to: request, status: 400, reason: "Missing Contact or From Tag", toTag: tag)))
            end(outcome: .rejected(code: 400, reason: why), code: 400, at: now, &out)
            return
        }
        dialog = accepted
        media = answer
        phase = .confirmed
        var body = answer.body
        if let ownerSDP, let description = try? SDPParser().parse(ownerSDP), let stamped = stamped(description) {
            body = stamped
            self.ownerSDP = description
        }
        var headers = [SIPHeaderField(.contact, configuration.contact.description)] + configuration.capabilities
        headers.append(SIPHeaderField(.contentType, "application/sdp"))
        let ok = SIPResponseFactory.response(to: request, status: 200, toTag: tag, headers: headers, body: body)
        result.sipCode = 200
        result.answered = 0
        if let number = (try? request.headers.cseq())?.sequence { unacknowledged.insert(number) }
        out.append(.respondUntilAcknowledged(ok))
        out.append(.report(.answered(sdp: body)))
    }
}
