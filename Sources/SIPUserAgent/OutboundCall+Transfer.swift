import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// Blind transfer of an answered call (RFC 3515, RFC 5589 §6): REFER with Refer-To, then the
/// far end's NOTIFYs carry the transfer's progress as message/sipfrag; the final one decides,
/// and sipdial then leaves the call with BYE.
extension OutboundCall {
    /// How long to wait for the NOTIFY with the transfer's final status before hanging up.
    static let transferTimeout: TimeAmount = .seconds(32)

    /// Asks the far end to call `target` instead; the call ends when the transfer is done.
    public func transfer(to target: SIPURI) {
        eventLoop.execute { [self] in
            guard phase == .confirmed, var d = dialog, transferTimer == nil else { return }
            let headers = [
                SIPHeaderField(.referTo, SIPAddress(uri: target).description),
                SIPHeaderField(.referredBy, SIPAddress(uri: config.from.uri).description),
            ]
            let refer = d.request(.refer, via: freshVia(), contact: contactAddress, headers: headers)
            dialog = d
            transferTimer = eventLoop.scheduleTask(in: Self.transferTimeout) { [weak self] in
                self?.transferEnded(code: nil)
            }
            sendInDialog(refer) { [weak self] event in
                guard let self else { return }
                if case .response(let r) = event, r.isSuccess { return }
                let code: Int? = if case .response(let r) = event { r.statusCode } else { nil }
                self.transferEnded(code: code)
            }
        }
    }

    /// A NOTIFY in the dialog: the progress of the transfer when it is about one (Event: refer).
    func receiveNotify(_ tx: SIPServerTransaction) {
        let r = tx.request
        guard transferTimer != nil, let event = (try? r.headers.event()) ?? nil, event.value.caseInsensitiveEquals("refer") else {
            tx.respond(status: 200)
            return
        }
        tx.respond(status: 200)
        guard let code = Self.sipfragStatus(r.body), code >= 200 else { return }
        transferEnded(code: code)
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
    /// answer came): record it and leave the call.
    private func transferEnded(code: Int?) {
        guard let timer = transferTimer else { return }
        timer.cancel()
        transferTimer = nil
        result.transferCode = code ?? 408
        bye(reason: .normalClearing)
    }
}

/// A transfer the far end asks for (RFC 3515 §2.4): REFER in the call's dialog. sipdial
/// follows it only when its user said so (`Configuration.onTransferRequest`): a REFER makes
/// sipdial call a number the far end chose, which an open dialer must not do for anyone.
extension OutboundCall {
    func receiveRefer(_ tx: SIPServerTransaction) {
        let r = tx.request
        guard let handler = config.onTransferRequest else {
            tx.respond(status: 603, reason: "Transfers Not Followed")
            return
        }
        guard let referTo = (try? r.headers.referTo()) ?? nil, referTo.uri.scheme == .sip || referTo.uri.scheme == .sips else {
            tx.respond(status: 400, reason: "Missing or Unsupported Refer-To")
            return
        }
        guard !transferFollowing else {
            tx.respond(status: 491)
            return
        }
        transferFollowing = true
        tx.respond(status: 202)
        notifyTransfer(status: 100, reason: "Trying")
        handler(referTo.uri)
    }

    /// Reports the progress of a transfer sipdial follows (RFC 3515 §2.4.4): a final
    /// status ends the implicit subscription.
    public func reportTransfer(status: Int, reason: String) {
        eventLoop.execute { [self] in
            notifyTransfer(status: status, reason: reason)
        }
    }

    private func notifyTransfer(status: Int, reason: String) {
        guard phase == .confirmed, var d = dialog else { return }
        let final = status >= 200
        let headers = [
            SIPHeaderField(.event, "refer"),
            SIPHeaderField(.subscriptionState, final ? "terminated;reason=noresource" : "active;expires=60"),
            SIPHeaderField(.contentType, "message/sipfrag;version=2.0"),
        ]
        let notify = d.request(.notify, via: freshVia(), contact: contactAddress, headers: headers, body: Array("SIP/2.0 \(status) \(reason)\r\n".utf8))
        dialog = d
        if final { transferFollowing = false }
        sendInDialog(notify) { _ in }
    }
}
