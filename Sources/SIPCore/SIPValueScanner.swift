/// A cursor over the bytes of one header value, with the lexical pieces of RFC 3261 §25.1:
/// LWS, tokens, quoted strings and generic parameters. Used by every typed header parser.
struct SIPValueScanner {
    let bytes: [UInt8]
    private(set) var index: Int = 0
    let header: String?

    init(_ value: some StringProtocol, header: String? = nil) {
        self.init(bytes: Array(value.utf8), header: header)
    }

    /// A scanner over value bytes already known to be UTF-8 (a parsed field's bytes).
    init(bytes: [UInt8], header: String? = nil) {
        self.bytes = bytes
        self.header = header
    }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(_ reason: String) -> SIPSyntaxError {
        SIPSyntaxError(reason, header: header, position: index)
    }

    mutating func skipWhitespace() {
        while index < bytes.count, SIPCharacterClass.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Consumes `byte` (after optional whitespace) and returns whether it was there.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if peek == byte { index += 1; return true }
        return false
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(SIPSyntaxError) {
        guard consume(byte) else { throw error("expected \(what)") }
    }

    mutating func expectEnd() throws(SIPSyntaxError) {
        skipWhitespace()
        guard isAtEnd else { throw error("unexpected '\(String(decoding: [bytes[index]], as: UTF8.self))'") }
    }

    /// A run of bytes in `set`; empty when there is none.
    mutating func scan(_ set: ByteSet) -> String {
        text(skip(set))
    }

    /// Steps over a run of bytes in `set` and returns where it was (empty when there is none).
    mutating func skip(_ set: ByteSet) -> Range<Int> {
        let start = index
        while index < bytes.count, set.contains(bytes[index]) { index += 1 }
        return start..<index
    }

    /// The bytes of `range` as a string.
    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    mutating func token(_ what: String) throws(SIPSyntaxError) -> String {
        skipWhitespace()
        let t = scan(SIPCharacterClass.token)
        guard !t.isEmpty else { throw error("expected \(what)") }
        return t
    }

    /// A quoted-string with its quotes, as received (RFC 3261 §25.1 `quoted-string`).
    mutating func quotedString() throws(SIPSyntaxError) -> String {
        text(try skipQuotedString())
    }

    /// Steps over a quoted-string and returns where it was, quotes included.
    mutating func skipQuotedString() throws(SIPSyntaxError) -> Range<Int> {
        skipWhitespace()
        let start = index
        guard peek == UInt8(ascii: "\"") else { throw error("expected quoted string") }
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
            case UInt8(ascii: "\""):
                index += 1
                return start..<index
            case 0x0D, 0x0A:
                throw error("line break inside quoted string")
            default:
                index += 1
            }
        }
        index = start
        throw error("unterminated quoted string")
    }

    /// Bytes up to (not including) the first byte listed in `stops`.
    mutating func scanUntil(_ stops: StaticString) -> String {
        text(skipUntil(stops))
    }

    /// Steps up to (not onto) the first byte listed in `stops` and returns what it passed.
    mutating func skipUntil(_ stops: StaticString) -> Range<Int> {
        let start = index
        let p = stops.utf8Start, n = stops.utf8CodeUnitCount
        scan: while index < bytes.count {
            let c = bytes[index]
            for k in 0..<n where p[k] == c { break scan }
            index += 1
        }
        return start..<index
    }

    /// `*( SEMI generic-param )` where generic-param = token [ EQUAL gen-value ] and
    /// gen-value = token / host / quoted-string (RFC 3261 §25.1).
    mutating func parameters() throws(SIPSyntaxError) -> [SIPParameter] {
        var params: [SIPParameter] = []
        let source = self  // the closure cannot read `self` while `parameters(_:)` mutates it
        try parameters { name, value in params.append(SIPParameter(source.text(name), value.map(source.text))) }
        return params
    }

    /// The same grammar as `parameters()`, each parameter's name and value (quotes kept)
    /// handed to `found` as ranges: with an empty `found` nothing is allocated.
    mutating func parameters(_ found: (Range<Int>, Range<Int>?) -> Void) throws(SIPSyntaxError) {
        while consume(UInt8(ascii: ";")) {
            skipWhitespace()
            let name = skip(SIPCharacterClass.token)
            guard !name.isEmpty else { throw error("expected parameter name") }
            if consume(UInt8(ascii: "=")) {
                skipWhitespace()
                if peek == UInt8(ascii: "\"") {
                    found(name, try skipQuotedString())
                } else {
                    let v = skip(SIPValueScanner.genericValue)
                    guard !v.isEmpty else { throw error("empty value for parameter '\(text(name))'") }
                    found(name, v)
                }
            } else {
                found(name, nil)
            }
        }
    }

    /// gen-value characters: token plus host characters (IPv6 references in brackets).
    static var genericValue: ByteSet { ByteSet(low: 0x07FF_6CA2_0000_0000, high: 0x47FF_FFFF_AFFF_FFFE) }
}

/// Splits a header value at top-level commas (outside quoted strings and `<...>`), as RFC 3261
/// §7.3.1 allows for headers whose grammar is a comma-separated list.
func splitSIPList(_ value: some StringProtocol) -> [Substring] {
    let s = Substring(value)
    let u = s.utf8
    // Most values are one element: no comma, nothing to split.
    let hasComma = u.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: ",")) } ?? u.contains(UInt8(ascii: ","))
    guard hasComma else { return [s] }
    var parts: [Substring] = []
    var inQuotes = false, inAngle = false, escaped = false
    var start = u.startIndex
    var i = u.startIndex
    while i < u.endIndex {
        let c = u[i]
        if inQuotes {
            if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inQuotes = false }
        } else {
            switch c {
            case UInt8(ascii: "\""): inQuotes = true
            case UInt8(ascii: "<"): inAngle = true
            case UInt8(ascii: ">"): inAngle = false
            case UInt8(ascii: ",") where !inAngle:
                parts.append(s[start..<i])
                start = u.index(after: i)
            default: break
            }
        }
        i = u.index(after: i)
    }
    parts.append(s[start..<u.endIndex])
    return parts
}

extension String {
    /// The content of a quoted-string without its quotes and with `\` escapes resolved; the
    /// string itself when it is not quoted.
    public var sipUnquoted: String {
        // A quoted-pair escapes one ASCII byte (RFC 3261 §25.1), so the work is bytewise.
        let bytes = Array(utf8)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        guard bytes.count >= 2, bytes.first == quote, bytes.last == quote else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - 2)
        var escaped = false
        for b in bytes[1..<(bytes.count - 1)] {
            if escaped { out.append(b); escaped = false } else if b == backslash { escaped = true } else { out.append(b) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// This text as a quoted-string (RFC 3261 §25.1), escaping `"` and `\`.
    public var sipQuoted: String {
        var out = "\""
        for ch in self {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "\""
    }
}
