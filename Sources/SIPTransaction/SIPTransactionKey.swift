import SIPCore

/// Identifies a transaction for matching messages to it.
///
/// RFC 3261 §17.1.3 (client: branch + CSeq method) and §17.2.3 (server: branch, sent-by and
/// method, ACK counting as INVITE), with the RFC 2543 fallback for requests whose branch lacks
/// the magic cookie: Request-URI, To tag, From tag, Call-ID, CSeq number and top Via.
public enum SIPTransactionKey: Sendable, Hashable {
    case client(branch: String, method: SIPMethod)
    case server(branch: String, sentBy: String, method: SIPMethod)
    case legacyServer(requestURI: String, toTag: String?, fromTag: String?, callID: String, cseq: UInt32, method: SIPMethod, via: String)

    /// The key of the client transaction that a response belongs to, from its top Via and CSeq.
    /// `via` is the response's top Via as the validator parsed it (`SIPMessageValidator.checkResponse`),
    /// so a response's Via is parsed once.
    public static func client(for response: SIPResponse, topVia via: Via) -> SIPTransactionKey? {
        guard let branch = via.branch, let cseq = response.headers[.cseq].flatMap({ try? CSeq(parsing: $0) }) else { return nil }
        return .client(branch: branch, method: cseq.method)
    }

    /// The key of the client transaction a request creates.
    public static func client(for request: SIPRequest) -> SIPTransactionKey? {
        guard let top = request.headers.listValues(.via).first, let via = try? Via(parsing: top), let branch = via.branch else { return nil }
        return .client(branch: branch, method: request.method)
    }

    /// The key of the server transaction a request belongs to. An ACK maps onto its INVITE's
    /// transaction; a CANCEL has its own (use `cancelled(by:)` for the INVITE it targets).
    public static func server(for request: SIPRequest) -> SIPTransactionKey? {
        server(for: request, method: request.method == .ack ? .invite : request.method)
    }

    /// The key of the INVITE server transaction a CANCEL targets (RFC 3261 §9.2).
    public static func cancelled(by cancel: SIPRequest) -> SIPTransactionKey? {
        server(for: cancel, method: .invite)
    }

    private static func server(for request: SIPRequest, method: SIPMethod) -> SIPTransactionKey? {
        guard let top = request.headers.listValues(.via).first, let via = try? Via(parsing: top) else { return nil }
        if via.hasRFC3261Branch, let branch = via.branch {
            return .server(branch: branch, sentBy: via.sentBy.lowercased(), method: method)
        }
        let h = request.headers
        guard let callID = h[.callID], let cseq = h[.cseq].flatMap({ try? CSeq(parsing: $0) }) else { return nil }
        let to = h[.to].flatMap { try? SIPAddress(parsing: $0) }
        let from = h[.from].flatMap { try? SIPAddress(parsing: $0) }
        // For an ACK the To tag is the one our final response added; match without it (§17.2.3).
        let toTag = request.method == .ack ? nil : to?.tag
        return .legacyServer(
            requestURI: request.uri.description, toTag: toTag, fromTag: from?.tag, callID: callID,
            cseq: cseq.sequence, method: method, via: via.description)
    }
}

/// Identifies requests for merged-request detection (RFC 3261 §8.2.2.2): the same From tag,
/// Call-ID and CSeq arriving on a different transaction is a loop through a forking proxy.
public struct SIPMergeKey: Sendable, Hashable {
    public var fromTag: String
    public var callID: String
    public var cseq: CSeq

    /// Nil for requests that carry a To tag (in-dialog requests are never merged).
    public init?(_ request: SIPRequest) {
        let h = request.headers
        guard let to = h[.to].flatMap({ try? SIPAddress(parsing: $0) }), to.tag == nil,
              let fromTag = h[.from].flatMap({ try? SIPAddress(parsing: $0) })?.tag,
              let callID = h[.callID], let cseq = h[.cseq].flatMap({ try? CSeq(parsing: $0) }) else { return nil }
        self.fromTag = fromTag
        self.callID = callID
        self.cseq = cseq
    }
}
