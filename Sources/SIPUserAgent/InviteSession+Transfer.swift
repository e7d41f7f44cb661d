import SIPCore

/// Transfers (RFC 3515, RFC 5589 §6). Asked by this side: REFER with Refer-To, then the far
/// end's NOTIFYs carry the progress as message/sipfrag; the final one decides and the call
/// ends with BYE. Asked by the far end: followed only when the owner said so
/// (`Configuration.followsTransfers`), since a REFER makes sipdial call a number the far end
/// chose, which an open dialer must not do for anyone.
extension InviteSession {
    mutating func transfer(to target: SIPURI, at now: Duration, _ out: inout [Action]) {
        guard phase == .confirmed, var d = dialog, !transferPending else { return }
        let identity = d.local.uri
        let headers = [
            SIPHeaderField(.referTo, SIPAddress(uri: target).description),
            SIPHeaderField(.referredBy, SIPAddress(uri: identity).description),
        ]
        let refer = d.request(.refer, via: freshVia(), contact: configuration.contact, headers: headers)
        dialog = d
        transferPending = true
        arm(.transfer, after: configuration.transferTimeout, &out)
        out.append(.send(refer, hop: d.nextHop, purpose: .refer))
    }

    /// A NOTIFY in the dialog: the progress of the transfer when it is about one (Event: refer).
    mutating func receiveNotify(_ r: SIPRequest, at now: Duration, _ out: inout [Action]) {
        out.append(.respond(Self.response(to: r, status: 200)))
        guard transferPending, let event = (try? r.headers.event()) ?? nil, event.value.caseInsensitiveEquals("refer"),
              let code = Self.sipfragStatus(r.body), code >= 200 else { return }
        transferEnded(code: code, at: now, &out)
    }

    /// The status code of a message/sipfrag body's status line (RFC 3420), e.g.
    /// "SIP/2.0 200 OK".
    static func sipfragStatus(_ body: [UInt8]) -> Int? {
        let line = String(decoding: body.prefix(64), as: UTF8.self).split(whereSeparator: { $0 == "\r" || $0 == "\n" }).first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "SIP/2.0", let code = Int(parts[1]), (100...699).contains(code) else { return nil }
        return code
    }

    /// The transfer finished (`code` from the final NOTIFY or a refused REFER; nil when no
    /// answer came, recorded as 408): record it and leave the call.
    mutating func transferEnded(code: Int?, at now: Duration, _ out: inout [Action]) {
        guard transferPending else { return }
        transferPending = false
        disarm(.transfer, &out)
        result.transferCode = code ?? 408
        bye(reason: .normalClearing, at: now, &out)
    }

    /// A REFER from the far end (RFC 3515 §2.4): 202 and an implicit subscription whose
    /// NOTIFYs report the new call's progress, or 603 when transfers are not followed.
    mutating func receiveRefer(_ r: SIPRequest, _ out: inout [Action]) {
        guard configuration.followsTransfers else {
            out.append(.respond(Self.response(to: r, status: 603, reason: "Transfers Not Followed")))
            return
        }
        guard let referTo = (try? r.headers.referTo()) ?? nil, referTo.uri.scheme == .sip || referTo.uri.scheme == .sips else {
            out.append(.respond(Self.response(to: r, status: 400, reason: "Missing or Unsupported Refer-To")))
            return
        }
        guard !transferFollowing else {
            out.append(.respond(Self.response(to: r, status: 491)))
            return
        }
        transferFollowing = true
        out.append(.respond(Self.response(to: r, status: 202)))
        notifyTransfer(status: 100, reason: "Trying", &out)
        out.append(.followTransfer(referTo.uri))
    }

    /// Reports the progress of a transfer sipdial follows (RFC 3515 §2.4.4): a final
    /// status ends the implicit subscription.
    mutating func notifyTransfer(status: Int, reason: String, _ out: inout [Action]) {
        guard phase == .confirmed, var d = dialog else { return }
        let final = status >= 200
        let headers = [
            SIPHeaderField(.event, "refer"),
            SIPHeaderField(.subscriptionState, final ? "terminated;reason=noresource" : "active;expires=60"),
            SIPHeaderField(.contentType, "message/sipfrag;version=2.0"),
        ]
        let notify = d.request(.notify, via: freshVia(), contact: configuration.contact, headers: headers,
                               body: Array("SIP/2.0 \(status) \(reason)\r\n".utf8))
        dialog = d
        if final { transferFollowing = false }
        out.append(.send(notify, hop: d.nextHop, purpose: .notify))
    }
}
