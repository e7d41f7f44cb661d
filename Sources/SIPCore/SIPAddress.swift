/// A name-addr or addr-spec with header parameters: the value of From, To, Contact, Route,
/// Record-Route, Refer-To, Referred-By and P-Asserted-Identity (RFC 3261 §20, §25.1).
public struct SIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, unquoted; nil when absent.
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters after the URI (`tag`, `expires`, `q`, ...), not URI parameters.
    public var parameters: [SIPParameter]

    public init(displayName: String? = nil, uri: SIPURI, parameters: [SIPParameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter of From and To (RFC 3261 §19.3).
    public var tag: String? {
        get { parameters[parameter: "tag"] ?? nil }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove(parameter: "tag") }
        }
    }

    /// Always written in name-addr form, which is valid wherever addr-spec is.
    public var description: String {
        var out = ""
        if let displayName, !displayName.isEmpty { out += displayName.sipQuoted + " " }
        out += "<" + uri.description + ">"
        out += parameters.serialized()
        return out
    }

    /// Parses one name-addr or addr-spec followed by `;params`.
    public init(parsing text: some StringProtocol, header: String? = nil) throws(SIPSyntaxError) {
        var s = SIPValueScanner(text, header: header)
        self = try SIPAddress.parse(&s, build: true)!
        try s.expectEnd()
    }

    /// Checks one address's grammar as `init(parsing:)` does, without building it: what the
    /// validator runs on every received From, To, Contact and Route (no strings are made).
    static func validate(_ text: some StringProtocol, header: String? = nil) throws(SIPSyntaxError) {
        try validate(SIPValueScanner(text, header: header))
    }

    /// `validate` on a scanner at the start of the value.
    static func validate(_ scanner: SIPValueScanner) throws(SIPSyntaxError) {
        var s = scanner
        _ = try SIPAddress.parse(&s, build: false)
        try s.expectEnd()
    }

    /// Reads one address; with `build` false only the grammar is checked and nil returned.
    static func parse(_ s: inout SIPValueScanner, build: Bool) throws(SIPSyntaxError) -> SIPAddress? {
        s.skipWhitespace()
        var display: String?
        let hasAngle = s.bytes[s.index...].contains(UInt8(ascii: "<"))  // name-addr form
        if s.peek == UInt8(ascii: "\"") {
            let quoted = try s.skipQuotedString()
            if build { display = s.text(quoted).sipUnquoted }
            guard s.consume(UInt8(ascii: "<")) else { throw s.error("expected '<' after display name") }
        } else if hasAngle, s.peek != UInt8(ascii: "<") {
            // display-name = *(token LWS): tokens, LWS between them, then "<".
            var words: [String] = []
            while true {
                s.skipWhitespace()
                if s.peek == UInt8(ascii: "<") { break }
                let word = s.skip(SIPCharacterClass.token)
                guard !word.isEmpty else { throw s.error("display name must be a token list or a quoted string") }
                if build { words.append(s.text(word)) }
            }
            if build { display = words.joined(separator: " ") }
            _ = s.consume(UInt8(ascii: "<"))
        } else if s.peek == UInt8(ascii: "<") {
            _ = s.consume(UInt8(ascii: "<"))
        } else {
            // addr-spec: the URI ends at the first ";" (RFC 3261 §20.10: a URI holding ",", "?" or ";" needs <>).
            let range = s.skipUntil("; \t,")
            if s.bytes[range].contains(UInt8(ascii: "?")) {
                throw SIPSyntaxError("URI with headers must be enclosed in <>", header: s.header, position: range.lowerBound)
            }
            return try withParameters(&s, display: nil, uri: try uri(s, range, build: build))
        }
        let range = s.skipUntil(">")
        guard s.peek == UInt8(ascii: ">") else { throw s.error("missing '>'") }
        let uri = try uri(s, range, build: build)
        _ = s.consume(UInt8(ascii: ">"))
        return try withParameters(&s, display: display, uri: uri)
    }

    /// Reads the `;params` after the URI: the address when `uri` was built, else (checking
    /// only) nil.
    private static func withParameters(_ s: inout SIPValueScanner, display: String?, uri: SIPURI?) throws(SIPSyntaxError) -> SIPAddress? {
        guard let uri else {
            try s.parameters { _, _ in }
            return nil
        }
        return SIPAddress(displayName: display, uri: uri, parameters: try s.parameters())
    }

    /// The URI in `range` of the scanner's bytes, built or only checked; errors point into the value.
    private static func uri(_ s: SIPValueScanner, _ range: Range<Int>, build: Bool) throws(SIPSyntaxError) -> SIPURI? {
        do throws(SIPSyntaxError) {
            if build { return try SIPURI(parsing: s.text(range)) }
            let result: Result<Void, SIPSyntaxError> = s.bytes[range].withUnsafeBytes { raw in
                do throws(SIPSyntaxError) { return .success(try SIPURI.validate(raw)) } catch { return .failure(error) }
            }
            try result.get()
            return nil
        } catch {
            throw SIPSyntaxError(error.reason, header: s.header, position: range.lowerBound + (error.position ?? 0))
        }
    }

    /// Parses a comma-separated list of addresses (Contact, Route, Record-Route).
    public static func parseList(_ text: some StringProtocol, header: String? = nil) throws(SIPSyntaxError) -> [SIPAddress] {
        var out: [SIPAddress] = []
        for part in splitSIPList(text) {
            guard !part.trimmingSIPWhitespace().isEmpty else { throw SIPSyntaxError("empty list element", header: header) }
            out.append(try SIPAddress(parsing: part, header: header))
        }
        return out
    }

    /// Checks a list as `parseList` reads it, without building the addresses.
    static func validateList(_ text: some StringProtocol, header: String? = nil) throws(SIPSyntaxError) {
        for part in splitSIPList(text) {
            guard !part.trimmingSIPWhitespace().isEmpty else { throw SIPSyntaxError("empty list element", header: header) }
            try SIPAddress.validate(part, header: header)
        }
    }
}

/// A Contact value: `*` (only in REGISTER, RFC 3261 §10.2.2) or a list of addresses.
public enum SIPContact: Sendable, Hashable {
    case wildcard
    case addresses([SIPAddress])

    public init(parsing text: some StringProtocol) throws(SIPSyntaxError) {
        if text.trimmingSIPWhitespace() == "*" {
            self = .wildcard
        } else {
            self = .addresses(try SIPAddress.parseList(text, header: "Contact"))
        }
    }

    /// Checks a Contact value as `init(parsing:)` reads it, without building it.
    static func validate(_ text: some StringProtocol) throws(SIPSyntaxError) {
        if text.trimmingSIPWhitespace() != "*" { try SIPAddress.validateList(text, header: "Contact") }
    }
}

extension SIPAddress {
    /// The `expires` Contact parameter in seconds (RFC 3261 §20.10), if present and numeric.
    public var expires: UInt32? {
        guard let v = parameters[parameter: "expires"] ?? nil else { return nil }
        return UInt32(v)
    }

    /// The `q` Contact parameter (RFC 3261 §20.10).
    public var q: Double? {
        guard let v = parameters[parameter: "q"] ?? nil else { return nil }
        return Double(v)
    }
}
