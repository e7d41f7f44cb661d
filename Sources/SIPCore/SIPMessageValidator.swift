/// Decides what a user agent must do with a parsed message: the syntax of the headers it
/// interprets, then the UAS request checks of RFC 3261 §8.2 in their order (§8.2.1 method,
/// §8.2.2 headers, §8.2.3 content), then the response checks of §8.1.3.
///
/// The same code answers incoming requests in the UAS and drives `sipdial sip check`.
public struct SIPMessageValidator: Sendable {
    public var policy: SIPUASPolicy

    public init(policy: SIPUASPolicy = .default) {
        self.policy = policy
    }

    /// The verdict for a message that parsed.
    public func check(_ message: SIPMessage) -> SIPVerdict {
        switch message {
        case .request(let r): checkRequest(r)
        case .response(let r): checkResponse(r).verdict
        }
    }

    /// The verdict for a message that did not parse: requests are answered (400, 505 or 413)
    /// when enough was read to address a response, everything else is dropped.
    public func check(_ error: SIPParseError) -> SIPVerdict {
        let problem = SIPVerdict.Problem(message: error.detail, header: nil, offset: error.offset, malformed: true)
        guard let partial = error.partial, partial.isRequest, partial.method != .ack,
              SIPMessageValidator.canAddressResponse(partial.headers) else {
            return SIPVerdict(problems: [problem], disposition: .discard)
        }
        let status = switch error.kind {
        case .unsupportedVersion: 505
        case .messageTooLarge: 513
        default: 400
        }
        return SIPVerdict(problems: [problem], disposition: .reject(status: status, reason: SIPResponse.defaultReason(status), headers: []))
    }

    /// A response goes where the top Via says (RFC 3261 §18.2.2), so an error response can be
    /// sent whenever that Via's sent-by is readable; the other headers are copied as they are.
    static func canAddressResponse(_ headers: SIPHeaders) -> Bool {
        guard let via = headers.listValues(.via).first else { return false }
        return (try? Via(parsing: via, strict: false)) != nil
    }

    /// The syntax problems of every interpreted header, and the top Via when it parsed (the
    /// Via check parses it anyway; the request checks look at its branch).
    private func syntaxProblems(_ headers: SIPHeaders) -> (problems: [SIPVerdict.Problem], topVia: Via?) {
        var problems: [SIPVerdict.Problem] = []
        var topVia: Via?
        var seenVia = false
        for (i, field) in headers.enumerated() {
            do {
                let via = try SIPHeaderSyntax.check(field)
                if field.name == .via, !seenVia { topVia = via }
            } catch {
                problems.append(.init(message: error.reason, header: field.name.name, offset: headers.offset(ofField: i), malformed: true))
            }
            seenVia = seenVia || field.name == .via
        }
        return (problems, topVia)
    }

    private func offset(_ headers: SIPHeaders, _ name: SIPHeaderName) -> Int? {
        headers.firstIndex { $0.name == name }.flatMap { headers.offset(ofField: $0) }
    }

    private func reject(_ problems: [SIPVerdict.Problem], _ status: Int, _ extra: [SIPHeaderField] = []) -> SIPVerdict {
        SIPVerdict(problems: problems, disposition: .reject(status: status, reason: SIPResponse.defaultReason(status), headers: extra))
    }

    func checkRequest(_ r: SIPRequest) -> SIPVerdict {
        let h = r.headers
        let uri = r.uri
        var (problems, topVia) = syntaxProblems(h)
        func semantic(_ message: String, _ header: SIPHeaderName? = nil, malformed: Bool = false) {
            problems.append(.init(message: message, header: header?.name, offset: header.flatMap { offset(h, $0) }, malformed: malformed))
        }
        // §8.1.1: the mandatory headers, each (but Via) exactly once.
        for name in [SIPHeaderName.to, .from, .callID, .cseq, .via] where !h.contains(name) {
            semantic("missing required header", name)
        }
        for name in [SIPHeaderName.to, .from, .callID, .cseq, .maxForwards, .contentType] where h.count(name) > 1 {
            semantic("header appears \(h.count(name)) times", name)
        }
        if let cseqText = h[.cseq], let cseq = try? CSeq(parsing: cseqText), cseq.method != r.method {
            semantic("CSeq method \(cseq.method) does not match request method \(r.method)", .cseq, malformed: true)
        }
        // §19.1.1 table: headers are not allowed in a Request-URI.
        if !uri.headers.isEmpty {
            problems.append(.init(message: "Request-URI must not contain headers", header: nil, offset: 0, malformed: true))
        }
        if let topVia, topVia.branch == Via.magicCookie {
            semantic("branch is the bare magic cookie with no identifier (RFC 3261 §8.1.1.7)", .via)
        }
        if r.method == .ack {
            return SIPVerdict(problems: problems, disposition: problems.isEmpty ? .accept : .discard)
        }
        if !problems.isEmpty {
            guard SIPMessageValidator.canAddressResponse(h) else { return SIPVerdict(problems: problems, disposition: .discard) }
            return reject(problems, 400)
        }
        // §8.2.2.1: Request-URI scheme.
        if !policy.supportedSchemes.contains(uri.scheme.name.lowercased()) {
            return reject([.init(message: "unsupported URI scheme '\(uri.scheme.name)'", header: nil, offset: 0, malformed: false)], 416)
        }
        // §8.2.1: method.
        if !policy.allowedMethods.contains(r.method) {
            let allow = SIPHeaderField(.allow, policy.allowedMethods.map(\.rawValue).joined(separator: ", "))
            let known = SIPMethod.known.contains(r.method)
            return reject([.init(message: known ? "method \(r.method) not allowed here" : "unknown method \(r.method)", header: nil, offset: 0, malformed: false)], known ? 405 : 501, [allow])
        }
        // §8.2.2.3: Require (not applied to CANCEL, §9.2).
        if r.method != .cancel {
            let unknown = h.listValues(.require).filter { !policy.supportedOptionTags.contains($0.lowercased()) }
            if !unknown.isEmpty {
                return reject([.init(message: "unsupported extension(s) \(unknown.joined(separator: ", "))", header: "Require", offset: offset(h, .require), malformed: false)], 420, [SIPHeaderField(.unsupported, unknown.joined(separator: ", "))])
            }
        }
        // §8.2.3: content type and encoding of a body.
        if !r.body.isEmpty {
            let type = h[.contentType].flatMap { try? SIPParameterizedValue(parsing: $0, mediaType: true) }?.value.lowercased() ?? "application/sdp"
            let encodings = h.listValues(.contentEncoding).filter { $0.lowercased() != "identity" }
            if !policy.acceptedContentTypes.contains(type) || !encodings.isEmpty {
                return reject([.init(message: encodings.isEmpty ? "unsupported Content-Type \(type)" : "unsupported Content-Encoding", header: encodings.isEmpty ? "Content-Type" : "Content-Encoding", offset: offset(h, encodings.isEmpty ? .contentType : .contentEncoding), malformed: false)], 415,
                              [SIPHeaderField(.accept, policy.acceptedContentTypes.joined(separator: ", ")), SIPHeaderField(.acceptEncoding, "identity")])
            }
        }
        // RFC 3261 §21.4.7: an INVITE whose Accept rules out the session description we would answer with.
        if r.method == .invite, h.contains(.accept) {
            let ranges = h.values(.accept).flatMap { (try? SIPParameterizedValue.parseList($0, mediaType: true)) ?? [] }.map { $0.value.lowercased() }
            if !ranges.contains(where: { $0 == "application/sdp" || $0 == "application/*" || $0 == "*/*" }) {
                return reject([.init(message: "Accept does not include application/sdp", header: "Accept", offset: offset(h, .accept), malformed: false)], 406)
            }
        }
        return .accept
    }

    /// The §8.1.3 response checks, and the top Via when it parsed: a client transaction is
    /// found by its branch (§17.1.3), so the transaction layer need not parse it again.
    public func checkResponse(_ r: SIPResponse) -> (verdict: SIPVerdict, topVia: Via?) {
        let h = r.headers
        var (problems, topVia) = syntaxProblems(h)
        for name in [SIPHeaderName.to, .from, .callID, .cseq, .via] where !h.contains(name) {
            problems.append(.init(message: "missing required header", header: name.name, offset: nil, malformed: false))
        }
        // §8.1.3.3: a UAC discards a response with more than one Via.
        let vias = h.listValues(.via)
        if vias.count > 1 {
            problems.append(.init(message: "response carries \(vias.count) Via values; a UAC discards it (RFC 3261 §8.1.3.3)", header: "Via", offset: offset(h, .via), malformed: false))
        }
        return (SIPVerdict(problems: problems, disposition: problems.isEmpty ? .accept : .discard), topVia)
    }
}
