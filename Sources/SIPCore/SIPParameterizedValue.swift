/// A value of the form `token-or-type *( ";" generic-param )`: Content-Type and Accept
/// entries (`type/subtype`), Event, Subscription-State, Session-Expires, Min-SE, Reason,
/// Retry-After, Content-Disposition and Privacy (RFC 3261 §20, RFC 3265, RFC 4028,
/// RFC 3326, RFC 3323).
public struct SIPParameterizedValue: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public var parameters: [SIPParameter]

    public init(_ value: String, parameters: [SIPParameter] = []) {
        self.value = value
        self.parameters = parameters
    }

    public var description: String { value + parameters.serialized() }

    /// Parses a token value (or `type/subtype` when `mediaType` is set) with parameters.
    /// A parenthesised comment after the value (Retry-After, RFC 3261 §20.33) is skipped.
    public init(parsing text: some StringProtocol, header: String? = nil, mediaType: Bool = false) throws(SIPSyntaxError) {
        var s = SIPValueScanner(text, header: header)
        var v = try s.token(mediaType ? "media type" : "value")
        if mediaType {
            try s.expect(UInt8(ascii: "/"), "'/' in media type")
            v += "/" + (try s.token("media subtype"))
        }
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "(") {
            _ = s.scanUntil(")")
            try s.expect(UInt8(ascii: ")"), "')' closing the comment")
        }
        let params = try s.parameters()
        try s.expectEnd()
        self.init(v, parameters: params)
    }

    /// Parses a comma-separated list of such values (Accept, Privacy uses ";" and is parsed apart).
    public static func parseList(_ text: some StringProtocol, header: String? = nil, mediaType: Bool = false) throws(SIPSyntaxError) -> [SIPParameterizedValue] {
        var out: [SIPParameterizedValue] = []
        for part in splitSIPList(text) where !part.trimmingSIPWhitespace().isEmpty {
            out.append(try SIPParameterizedValue(parsing: part, header: header, mediaType: mediaType))
        }
        return out
    }
}

/// A WWW-Authenticate/Proxy-Authenticate challenge or an Authorization/Proxy-Authorization
/// credential: a scheme and `name=value` auth-params, quoted values kept with their quotes
/// (RFC 3261 §20.27, §22.4, RFC 8760).
public struct SIPAuthValue: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var parameters: [SIPParameter]

    public init(scheme: String, parameters: [SIPParameter]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// An auth-param's value with quotes removed (realm, nonce, opaque, qop, algorithm ...).
    public subscript(name: String) -> String? {
        (parameters[parameter: name] ?? nil)?.sipUnquoted
    }

    public var description: String {
        scheme + " " + parameters.map { p in p.value.map { "\(p.name)=\($0)" } ?? p.name }.joined(separator: ", ")
    }

    public init(parsing text: some StringProtocol, header: String? = nil) throws(SIPSyntaxError) {
        var s = SIPValueScanner(text, header: header)
        let scheme = try s.token("auth scheme")
        var params: [SIPParameter] = []
        s.skipWhitespace()
        if !s.isAtEnd {
            repeat {
                let name = try s.token("auth-param name")
                try s.expect(UInt8(ascii: "="), "'=' after \(name)")
                s.skipWhitespace()
                let value = s.peek == UInt8(ascii: "\"") ? try s.quotedString() : try s.token("auth-param value")
                params.append(SIPParameter(name, value))
            } while s.consume(UInt8(ascii: ","))
        }
        try s.expectEnd()
        self.init(scheme: scheme, parameters: params)
    }
}
