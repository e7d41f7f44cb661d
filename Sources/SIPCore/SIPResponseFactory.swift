/// Builds responses to requests (RFC 3261 §8.2.6): Via values, From, To, Call-ID and CSeq
/// copied from the request, a To tag added to every response but 100 when the request had none.
public enum SIPResponseFactory {
    public static func response(
        to request: SIPRequest, status: Int, reason: String? = nil, toTag: String? = nil,
        headers extra: [SIPHeaderField] = [], body: [UInt8] = []
    ) -> SIPResponse {
        response(toHeaders: request.headers, status: status, reason: reason, toTag: toTag, headers: extra, body: body)
    }

    /// The same from the headers alone, for requests that did not fully parse (§8.2.6.2 needs
    /// only these headers to address the answer).
    public static func response(
        toHeaders h: SIPHeaders, status: Int, reason: String? = nil, toTag: String? = nil,
        headers extra: [SIPHeaderField] = [], body: [UInt8] = []
    ) -> SIPResponse {
        var headers = SIPHeaders()
        for via in h.values(.via) { headers.append(.via, via) }
        // §12.1.1: a response that can create a dialog echoes the Record-Route set.
        if (101..<300).contains(status) {
            for rr in h.values(.recordRoute) { headers.append(.recordRoute, rr) }
        }
        if let from = h[.from] { headers.append(.from, from) }
        if var to = h[.to] {
            if status != 100, let toTag, let parsed = try? SIPAddress(parsing: to), parsed.tag == nil {
                to += ";tag=" + toTag
            }
            headers.append(.to, to)
        }
        if let callID = h[.callID] { headers.append(.callID, callID) }
        if let cseq = h[.cseq] { headers.append(.cseq, cseq) }
        if status == 100, let ts = h[.timestamp] { headers.append(.timestamp, ts) }
        for f in extra { headers.append(f.name, f.value) }
        headers.append(.contentLength, String(body.count))
        return SIPResponse(statusCode: status, reasonPhrase: reason, headers: headers, body: body)
    }
}
