import SDP
import SIPCore

/// Offers the owner makes or answers in a confirmed dialog (RFC 3264 §8, RFC 3261 §14): the
/// shape a switch from audio to fax (`m=image`, T.38) and back takes. The session keeps the
/// o= line's identity and a version that grows with every description this side sends,
/// whoever wrote it.
extension InviteSession {
    /// The session as it stands, with the version one higher: what a refresh or a re-INVITE
    /// without an offer gets.
    mutating func currentOffer() -> [UInt8] {
        if let ownerSDP, let body = stamped(ownerSDP) { return body }
        guard var next = media else { return [] }
        next.nextVersion()
        media = next
        return next.body
    }

    /// `sdp` with this side's o= identity and the next version; nil when it does not parse.
    private mutating func stamped(_ sdp: [UInt8]) -> [UInt8]? {
        guard let description = try? SDPParser().parse(sdp) else { return nil }
        return stamped(description)
    }

    mutating func stamped(_ description: SessionDescription) -> [UInt8]? {
        guard var next = media else { return nil }
        next.nextVersion()
        media = next
        var sdp = description
        sdp.origin.sessionID = String(next.sessionID)
        sdp.origin.sessionVersion = next.version
        return sdp.bytes
    }

    /// The owner's re-offer: a re-INVITE with `sdp` (§14.1). Refused at once (491) while
    /// another offer is pending either way.
    mutating func reoffer(_ sdp: [UInt8], _ out: inout [Action]) {
        guard phase == .confirmed else { return }
        guard !offerPending, heldOffer == nil, var d = dialog else {
            out.append(.report(.offerRefused(status: 491)))
            return
        }
        guard let body = stamped(sdp) else {
            out.append(.report(.offerRefused(status: 488)))
            return
        }
        var headers = [SIPHeaderField(.contentType, "application/sdp")]
        if let timer = sessionTimer { headers += [timer.header(refresher: timer.weRefresh ? "uac" : "uas"), SIPHeaderField(.supported, "timer")] }
        let request = d.request(.invite, via: freshVia(), contact: configuration.contact, headers: headers, body: body)
        dialog = d
        offerPending = true
        reofferToRetry = sdp
        out.append(.send(request, hop: d.nextHop, purpose: .reoffer))
    }

    /// A 2xx makes the owner's description the session's and is acknowledged; a 491 is sent
    /// again after 2.1–4 s (§14.1); no answer, 408 or 481 ends the call (§14.1, §12.2.1.2);
    /// another refusal leaves the session as it was.
    mutating func reofferAnswered(_ request: SIPRequest, _ outcome: Outcome, at now: Duration, _ out: inout [Action]) {
        offerPending = false
        guard phase == .confirmed else { return }
        guard case .response(let r) = outcome, r.statusCode != 408, r.statusCode != 481 else {
            reofferToRetry = nil
            bye(reason: Q850Cause(41, text: "Re-INVITE failed"), at: now, &out)
            return
        }
        if r.isSuccess {
            reofferToRetry = nil
            acknowledge(request, &out)
            ownerSDP = try? SDPParser().parse(request.body)
            dialog?.refreshTarget(from: r.headers)
            if let timer = sessionTimer { startSessionTimer(SessionTimer(answeredBy: r) ?? timer, &out) }
            out.append(.report(.offerAnswered(sdp: r.body)))
        } else if r.statusCode == 491 {
            arm(.reoffer, after: glareDelay, &out)
        } else {
            reofferToRetry = nil
            out.append(.report(.offerRefused(status: r.statusCode)))
        }
    }

    /// The owner answered the offer it was given: a 2xx to the held re-INVITE or UPDATE, and
    /// its description becomes the session's.
    mutating func answerHeldOffer(_ sdp: [UInt8], _ out: inout [Action]) {
        guard let r = heldOffer else { return }
        heldOffer = nil
        guard let description = try? SDPParser().parse(sdp), let body = stamped(description) else {
            out.append(.respond(Self.response(to: r, status: 488)))
            return
        }
        ownerSDP = description
        if r.method == .invite {
            acceptReInvite(r, answer: body, &out)
        } else {
            acceptUpdate(r, answer: body, &out)
        }
    }

    /// The owner refused the offer it was given; the session stays as it was.
    mutating func refuseHeldOffer(status: Int, _ out: inout [Action]) {
        guard let r = heldOffer else { return }
        heldOffer = nil
        out.append(.respond(Self.response(to: r, status: (400...699).contains(status) ? status : 488)))
    }
}
