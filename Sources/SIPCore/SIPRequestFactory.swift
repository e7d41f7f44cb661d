/// Builds requests a UAC sends (RFC 3261 §8.1.1): the mandatory headers in a fixed order,
/// Content-Length always set.
public enum SIPRequestFactory {
    public struct Party: Sendable, Equatable {
        public var address: SIPAddress
        public init(_ address: SIPAddress) { self.address = address }
    }

    /// A request outside a dialog (or the first of one).
    public static func request(
        method: SIPMethod, uri: SIPURI, via: Via, from: SIPAddress, to: SIPAddress, callID: String,
        cseq: UInt32, contact: SIPAddress? = nil, maxForwards: Int = 70, headers extra: [SIPHeaderField] = [],
        contentType: String? = nil, body: [UInt8] = []
    ) -> SIPRequest {
        var h = SIPHeaders()
        h.append(.via, via.description)
        h.append(.maxForwards, String(maxForwards))
        h.append(.from, from.description)
        h.append(.to, to.description)
        h.append(.callID, callID)
        h.append(.cseq, CSeq(cseq, method).description)
        if let contact { h.append(.contact, contact.description) }
        for f in extra { h.append(f.name, f.value) }
        if let contentType, !body.isEmpty { h.append(.contentType, contentType) }
        h.append(.contentLength, String(body.count))
        return SIPRequest(method: method, uri: uri, headers: h, body: body)
    }

    /// The ACK for a 2xx to `invite` (RFC 3261 §13.2.2.4): a new transaction (fresh branch in
    /// `via`), To with the tag of the 2xx, the INVITE's CSeq number, sent to the remote target.
    public static func ackFor2xx(invite: SIPRequest, response: SIPResponse, via: Via) -> SIPRequest {
        let target = response.headers[.contact].flatMap { try? SIPAddress(parsing: $0) }?.uri ?? invite.uri
        return ack(for: invite, response: response, uri: target, via: via.description, routes: [])
    }

    /// An ACK for `invite`: its From, Call-ID and CSeq number, the response's To, the given
    /// Request-URI, Via and Route values (RFC 3261 §17.1.1.3 and §13.2.2.4 differ only in those).
    public static func ack(for invite: SIPRequest, response: SIPResponse, uri: SIPURI, via: String, routes: [String]) -> SIPRequest {
        var h = SIPHeaders()
        h.append(.via, via)
        for route in routes { h.append(.route, route) }
        h.append(.maxForwards, "70")
        if let from = invite.headers[.from] { h.append(.from, from) }
        if let to = response.headers[.to] { h.append(.to, to) }
        if let callID = invite.headers[.callID] { h.append(.callID, callID) }
        let number = invite.headers[.cseq].flatMap { try? CSeq(parsing: $0) }?.sequence ?? 1
        h.append(.cseq, CSeq(number, .ack).description)
        h.append(.contentLength, "0")
        return SIPRequest(method: .ack, uri: uri, headers: h)
    }
}
