/// Typed access to the header fields sipdial interprets (RFC 3261 §20 and the extensions
/// named per property). Each accessor parses on demand and throws `SIPSyntaxError` for a
/// malformed value; an absent header gives nil (or an empty list).
extension SIPHeaders {
    /// All Via values, top first (§20.42).
    public func vias() throws(SIPSyntaxError) -> [Via] {
        var out: [Via] = []
        for v in values(.via) { out += try Via.parseList(v) }
        return out
    }

    public func from() throws(SIPSyntaxError) -> SIPAddress? { try address(.from) }
    public func to() throws(SIPSyntaxError) -> SIPAddress? { try address(.to) }
    public func referTo() throws(SIPSyntaxError) -> SIPAddress? { try address(.referTo) }
    public func referredBy() throws(SIPSyntaxError) -> SIPAddress? { try address(.referredBy) }

    public var callID: String? { self[.callID] }

    public func cseq() throws(SIPSyntaxError) -> CSeq? {
        try self[.cseq].map { v throws(SIPSyntaxError) in try CSeq(parsing: v) }
    }

    /// Max-Forwards, 0-255 (§20.22).
    public func maxForwards() throws(SIPSyntaxError) -> Int? {
        guard let v = self[.maxForwards] else { return nil }
        guard let n = Int(v.trimmingSIPWhitespace()), (0...255).contains(n) else {
            throw SIPSyntaxError("Max-Forwards must be 0-255", header: "Max-Forwards")
        }
        return n
    }

    /// Contact: `*` or addresses, all Contact fields joined (§20.10).
    public func contact() throws(SIPSyntaxError) -> SIPContact? {
        let all = values(.contact)
        guard !all.isEmpty else { return nil }
        if all.count == 1 { return try SIPContact(parsing: all[0]) }
        var addresses: [SIPAddress] = []
        for v in all { addresses += try SIPAddress.parseList(v, header: "Contact") }
        return .addresses(addresses)
    }

    public func routes() throws(SIPSyntaxError) -> [SIPAddress] { try addressList(.route) }
    public func recordRoutes() throws(SIPSyntaxError) -> [SIPAddress] { try addressList(.recordRoute) }
    public func pAssertedIdentities() throws(SIPSyntaxError) -> [SIPAddress] { try addressList(.pAssertedIdentity) }

    /// Content-Type as `type/subtype` with parameters (§20.15).
    public func contentType() throws(SIPSyntaxError) -> SIPParameterizedValue? {
        try self[.contentType].map { v throws(SIPSyntaxError) in try SIPParameterizedValue(parsing: v, header: "Content-Type", mediaType: true) }
    }

    public func accept() throws(SIPSyntaxError) -> [SIPParameterizedValue] {
        var out: [SIPParameterizedValue] = []
        for v in values(.accept) { out += try SIPParameterizedValue.parseList(v, header: "Accept", mediaType: true) }
        return out
    }

    public var contentLength: Int? { self[.contentLength].flatMap { Int($0) } }

    /// Expires and Min-Expires in seconds; values above 2^32-1 count as 2^32-1 (§20.19).
    public func expires() throws(SIPSyntaxError) -> UInt32? { try deltaSeconds(.expires) }
    public func minExpires() throws(SIPSyntaxError) -> UInt32? { try deltaSeconds(.minExpires) }

    public func wwwAuthenticate() throws(SIPSyntaxError) -> [SIPAuthValue] { try auth(.wwwAuthenticate) }
    public func proxyAuthenticate() throws(SIPSyntaxError) -> [SIPAuthValue] { try auth(.proxyAuthenticate) }
    public func authorization() throws(SIPSyntaxError) -> [SIPAuthValue] { try auth(.authorization) }
    public func proxyAuthorization() throws(SIPSyntaxError) -> [SIPAuthValue] { try auth(.proxyAuthorization) }

    /// Option-tag and method lists (Allow, Supported, Require, Proxy-Require, Unsupported).
    public func tokens(_ name: SIPHeaderName) -> [String] { listValues(name) }

    /// RSeq (RFC 3262 §7.1).
    public func rseq() throws(SIPSyntaxError) -> UInt32? {
        guard let v = self[.rseq] else { return nil }
        guard let n = UInt32(v) else { throw SIPSyntaxError("RSeq must be 1-2^32-1", header: "RSeq") }
        return n
    }

    /// RAck (RFC 3262 §7.2).
    public func rack() throws(SIPSyntaxError) -> RAck? {
        try self[.rack].map { v throws(SIPSyntaxError) in try RAck(parsing: v) }
    }

    /// Session-Expires with its `refresher` parameter (RFC 4028 §4), Min-SE (§5).
    public func sessionExpires() throws(SIPSyntaxError) -> SIPParameterizedValue? { try parameterized(.sessionExpires) }
    public func minSE() throws(SIPSyntaxError) -> SIPParameterizedValue? { try parameterized(.minSE) }
    /// Retry-After with its optional comment and `duration` (§20.33).
    public func retryAfter() throws(SIPSyntaxError) -> SIPParameterizedValue? { try parameterized(.retryAfter) }
    /// Retry-After's delta-seconds (§20.33; the comment is not part of the value), at most
    /// `maxRetryAfterSeconds`; nil when absent or not a number.
    public func retryAfterSeconds() -> Int64? {
        guard let value = try? retryAfter()?.value, SIPCharacterClass.isDigits(value) else { return nil }
        // All digits, so only a value past Int64 fails to convert: that is more than a day too.
        return Swift.min(Int64(value) ?? .max, Self.maxRetryAfterSeconds)
    }

    /// The longest Retry-After honoured, one day: a peer's larger value (any number of digits
    /// is valid) would keep a destination or a registration idle for years, or overflow a timer.
    public static let maxRetryAfterSeconds: Int64 = 86_400
    public func event() throws(SIPSyntaxError) -> SIPParameterizedValue? { try parameterized(.event) }
    public func subscriptionState() throws(SIPSyntaxError) -> SIPParameterizedValue? { try parameterized(.subscriptionState) }

    /// Reason values, e.g. `Q.850;cause=16;text="Normal call clearing"` (RFC 3326 §2).
    public func reasons() throws(SIPSyntaxError) -> [SIPParameterizedValue] {
        var out: [SIPParameterizedValue] = []
        for v in values(.reason) { out += try SIPParameterizedValue.parseList(v, header: "Reason") }
        return out
    }

    /// Privacy values (RFC 3323 §4.2), e.g. ["id"].
    public var privacy: [String] {
        values(.privacy).flatMap { $0.split(separator: ";").map { String($0.trimmingSIPWhitespace()) } }
    }

    public var userAgent: String? { self[.userAgent] }
    public var server: String? { self[.server] }

    private func address(_ name: SIPHeaderName) throws(SIPSyntaxError) -> SIPAddress? {
        try self[name].map { v throws(SIPSyntaxError) in try SIPAddress(parsing: v, header: name.name) }
    }

    private func addressList(_ name: SIPHeaderName) throws(SIPSyntaxError) -> [SIPAddress] {
        var out: [SIPAddress] = []
        for v in values(name) { out += try SIPAddress.parseList(v, header: name.name) }
        return out
    }

    private func deltaSeconds(_ name: SIPHeaderName) throws(SIPSyntaxError) -> UInt32? {
        guard let v = self[name] else { return nil }
        guard SIPCharacterClass.isDigits(v) else {
            throw SIPSyntaxError("expected a number of seconds", header: name.name)
        }
        return UInt32(v) ?? UInt32.max
    }

    private func auth(_ name: SIPHeaderName) throws(SIPSyntaxError) -> [SIPAuthValue] {
        var out: [SIPAuthValue] = []
        for v in values(name) { out.append(try SIPAuthValue(parsing: v, header: name.name)) }
        return out
    }

    private func parameterized(_ name: SIPHeaderName) throws(SIPSyntaxError) -> SIPParameterizedValue? {
        try self[name].map { v throws(SIPSyntaxError) in try SIPParameterizedValue(parsing: v, header: name.name) }
    }
}
