extension SIPURI {
    /// Parses a URI (RFC 3261 §19.1.1 and §25.1, RFC 3966 for tel, RFC 5118 for IPv6).
    ///
    /// Any whitespace, `<`, `>` or `"` inside the URI is an error: such a URI is only valid
    /// inside a name-addr's brackets, and the caller strips those.
    public init(parsing text: some StringProtocol) throws(SIPSyntaxError) {
        var s = String(text)
        let result: Result<SIPURI, SIPSyntaxError> = s.withUTF8 { utf8 in
            do throws(SIPSyntaxError) {
                return .success(try SIPURI(bytes: UnsafeRawBufferPointer(utf8)))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let uri): self = uri
        case .failure(let e): throw e
        }
    }

    /// Parses a URI from its bytes; error positions are offsets into `b`.
    init(bytes b: UnsafeRawBufferPointer) throws(SIPSyntaxError) {
        var builder = SIPURIBuilder(b)
        try SIPURIGrammar.parse(b, into: &builder)
        self = builder.uri
    }

    /// Checks a URI with the same grammar as `init(bytes:)`, building nothing.
    static func validate(_ b: UnsafeRawBufferPointer) throws(SIPSyntaxError) {
        var sink = SIPURIValidator()
        try SIPURIGrammar.parse(b, into: &sink)
    }
}

/// Receives the parts of a URI as `SIPURIGrammar` finds them, as ranges of the input.
protocol SIPURIPartSink {
    mutating func scheme(_ scheme: SIPURI.Scheme)
    mutating func opaque(scheme: Range<Int>, rest: Range<Int>)
    mutating func user(_ user: Range<Int>, password: Range<Int>?)
    mutating func host(_ host: Range<Int>)
    mutating func port(_ port: Int)
    mutating func parameter(_ name: Range<Int>, _ value: Range<Int>?)
    mutating func header(_ name: Range<Int>, _ value: Range<Int>)
}

/// A sink that keeps nothing: the parser then only checks the grammar.
struct SIPURIValidator: SIPURIPartSink {
    func scheme(_ scheme: SIPURI.Scheme) {}
    func opaque(scheme: Range<Int>, rest: Range<Int>) {}
    func user(_ user: Range<Int>, password: Range<Int>?) {}
    func host(_ host: Range<Int>) {}
    func port(_ port: Int) {}
    func parameter(_ name: Range<Int>, _ value: Range<Int>?) {}
    func header(_ name: Range<Int>, _ value: Range<Int>) {}
}

/// A sink that builds the `SIPURI`.
struct SIPURIBuilder: SIPURIPartSink {
    let bytes: UnsafeRawBufferPointer
    var uri = SIPURI(host: "")

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func string(_ r: Range<Int>) -> String { SIPURIGrammar.string(bytes, r) }

    mutating func scheme(_ scheme: SIPURI.Scheme) { uri.scheme = scheme }
    mutating func opaque(scheme: Range<Int>, rest: Range<Int>) {
        uri.scheme = .other(string(scheme))
        uri.opaque = string(rest)
    }
    mutating func user(_ user: Range<Int>, password: Range<Int>?) {
        uri.user = string(user)
        uri.password = password.map(string)
    }
    mutating func host(_ host: Range<Int>) { uri.host = string(host) }
    mutating func port(_ port: Int) { uri.port = port }
    mutating func parameter(_ name: Range<Int>, _ value: Range<Int>?) {
        uri.parameters.append(SIPParameter(string(name), value.map(string)))
    }
    mutating func header(_ name: Range<Int>, _ value: Range<Int>) {
        uri.headers.append(SIPParameter(string(name), string(value)))
    }
}

/// The pieces of the RFC 3261 §25.1 URI grammar that `SIPURI(parsing:)` uses. Positions in
/// errors are byte offsets from the start of the URI.
enum SIPURIGrammar {
    typealias Bytes = UnsafeRawBufferPointer

    /// Bytes never allowed anywhere in a URI: controls, space, DEL, `<`, `>`, `"`.
    static var forbidden: ByteSet { ByteSet(low: 0x5000_0005_FFFF_FFFF, high: 0x8000_0000_0000_0000) }

    /// Any URI: `scheme ":" ...`; sip, sips and tel are read part by part, other schemes
    /// are kept opaque. Whitespace, `<`, `>` and `"` are errors anywhere.
    static func parse<Sink: SIPURIPartSink>(_ b: Bytes, into sink: inout Sink) throws(SIPSyntaxError) {
        guard let colon = ByteScanning.firstIndex(of: UInt8(ascii: ":"), in: b, from: 0), colon > 0 else {
            throw SIPSyntaxError("URI has no scheme", position: 0)
        }
        let scheme = UnsafeRawBufferPointer(rebasing: b[..<colon])
        guard isScheme(scheme) else { throw SIPSyntaxError("invalid URI scheme", position: 0) }
        if equalsLowercased(scheme, "sip") {
            try parseSIP(b, from: colon + 1, scheme: .sip, into: &sink)
        } else if equalsLowercased(scheme, "sips") {
            try parseSIP(b, from: colon + 1, scheme: .sips, into: &sink)
        } else if equalsLowercased(scheme, "tel") {
            try parseTel(b, from: colon + 1, into: &sink)
        } else {
            // The sip, sips and tel grammars admit none of these bytes; here they are checked alone.
            for i in 0..<b.count where forbidden.contains(b[i]) {
                throw SIPSyntaxError("invalid character in URI", position: i)
            }
            guard colon + 1 < b.count else { throw SIPSyntaxError("empty URI after scheme", position: colon + 1) }
            sink.opaque(scheme: 0..<colon, rest: (colon + 1)..<b.count)
        }
    }

    static func isScheme(_ b: Bytes) -> Bool {
        guard let first = b.first, isAlpha(first) else { return false }
        for c in b where !(isAlpha(c) || SIPCharacterClass.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
            return false
        }
        return true
    }

    static func equalsLowercased(_ b: Bytes, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<b.count where asciiLower(b[i]) != p[i] { return false }
        return true
    }

    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    /// unreserved = alphanum / mark (RFC 3261 §25.1).
    static var unreserved: ByteSet { ByteSet(low: 0x03FF_6782_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) }
    /// unreserved plus "&=+$,;?/%" (user-unreserved and escapes).
    static var userChars: ByteSet { ByteSet(low: 0xABFF_FFF2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) }
    /// unreserved plus "&=+$,%".
    static var passwordChars: ByteSet { ByteSet(low: 0x23FF_7FF2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE) }
    /// unreserved plus param-unreserved "[]/:&+$" and "%".
    static var paramChars: ByteSet { ByteSet(low: 0x07FF_EFF2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) }
    /// unreserved plus hnv-unreserved "[]/?:+$" and "%".
    static var headerChars: ByteSet { ByteSet(low: 0x87FF_EFB2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE) }
    /// RFC 3966 telephone-subscriber and par characters.
    static var telChars: ByteSet { ByteSet(low: 0xA7FF_FFFA_0000_0000, high: 0x47FF_FFFE_AFFF_FFFF) }

    /// Checks the characters of `b[range]` against `table`, and that every `%` starts a
    /// two-digit hex escape.
    static func check(_ b: Bytes, _ range: Range<Int>, _ table: ByteSet, _ what: String) throws(SIPSyntaxError) {
        var i = range.lowerBound
        while i < range.upperBound {
            let c = b[i]
            guard table.contains(c) else { throw SIPSyntaxError("invalid character in \(what)", position: i) }
            if c == UInt8(ascii: "%") {
                guard i + 2 < range.upperBound, SIPURI.hexValue(b[i + 1]) != nil, SIPURI.hexValue(b[i + 2]) != nil else {
                    throw SIPSyntaxError("bad %-escape in URI", position: i)
                }
                i += 3
            } else {
                i += 1
            }
        }
    }

    static func string(_ b: Bytes, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    /// sip/sips: [ userinfo "@" ] hostport uri-parameters [ headers ].
    static func parseSIP<Sink: SIPURIPartSink>(_ b: Bytes, from start: Int, scheme: SIPURI.Scheme, into sink: inout Sink) throws(SIPSyntaxError) {
        sink.scheme(scheme)
        var i = start
        // user and password cannot hold a raw "@" (RFC 3261 §25.1), so the first one ends the userinfo.
        let at = ByteScanning.firstIndex(of: UInt8(ascii: "@"), in: b, from: start) ?? b.count
        if at < b.count {
            var colon = start
            while colon < at, b[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon > start else { throw SIPSyntaxError("empty user part", position: start) }
            try check(b, start..<colon, userChars, "user part")
            if colon < at { try check(b, (colon + 1)..<at, passwordChars, "password") }
            sink.user(start..<colon, password: colon < at ? (colon + 1)..<at : nil)
            i = at + 1
        }
        i = try parseHost(b, from: i, into: &sink)
        if i < b.count, b[i] == UInt8(ascii: ":") {
            let (p, next) = try parsePort(b, from: i + 1)
            sink.port(p)
            i = next
        }
        while i < b.count, b[i] == UInt8(ascii: ";") {
            var end = i + 1
            while end < b.count, b[end] != UInt8(ascii: ";"), b[end] != UInt8(ascii: "?") { end += 1 }
            let (name, value) = try parsePair(b, (i + 1)..<end, paramChars, "URI parameter", valueRequired: false)
            sink.parameter(name, value)
            i = end
        }
        if i < b.count, b[i] == UInt8(ascii: "?") {
            i += 1
            while true {
                var end = i
                while end < b.count, b[end] != UInt8(ascii: "&") { end += 1 }
                let (name, value) = try parsePair(b, i..<end, headerChars, "URI header", valueRequired: true)
                sink.header(name, value!)
                if end >= b.count { break }
                i = end + 1
            }
        } else if i < b.count {
            throw SIPSyntaxError("unexpected character after host", position: i)
        }
    }

    /// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, RFC 5118 §4).
    static func parseHost<Sink: SIPURIPartSink>(_ b: Bytes, from start: Int, into sink: inout Sink) throws(SIPSyntaxError) -> Int {
        guard start < b.count else { throw SIPSyntaxError("missing host", position: start) }
        if b[start] == UInt8(ascii: "[") {
            var close = start
            while close < b.count, b[close] != UInt8(ascii: "]") { close += 1 }
            guard close < b.count else { throw SIPSyntaxError("unterminated IPv6 reference", position: start) }
            guard isIPv6(b, (start + 1)..<close) else { throw SIPSyntaxError("invalid IPv6 address", position: start) }
            sink.host(start..<(close + 1))
            return close + 1
        }
        var i = start
        while i < b.count, isHostnameChar(b[i]) { i += 1 }
        guard i > start else { throw SIPSyntaxError("missing host", position: start) }
        guard b[start] != UInt8(ascii: "."), b[start] != UInt8(ascii: "-") else {
            throw SIPSyntaxError("invalid host name", position: start)
        }
        sink.host(start..<i)
        return i
    }

    /// alphanum, "-", "." and "_" (RFC 3261 §25.1 hostname, with the underscore real hosts use).
    static var hostnameChars: ByteSet { ByteSet(low: 0x03FF_6000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE) }

    @inline(__always) static func isHostnameChar(_ c: UInt8) -> Bool {
        hostnameChars.contains(c)
    }

    /// IPv6 address text: hex groups, colons, an optional trailing dotted IPv4 part. The
    /// RFC 3261 grammar's extra-colon bug (RFC 5118 §4.10) is tolerated.
    static func isIPv6(_ b: Bytes, _ range: Range<Int>) -> Bool {
        guard range.count >= 2 else { return false }
        var colons = 0
        for i in range {
            let c = b[i]
            if c == UInt8(ascii: ":") { colons += 1 } else if SIPURI.hexValue(c) == nil, c != UInt8(ascii: ".") { return false }
        }
        return colons > 0
    }

    static func parsePort(_ b: Bytes, from start: Int) throws(SIPSyntaxError) -> (Int, Int) {
        var i = start
        var value = 0
        while i < b.count, SIPCharacterClass.isDigit(b[i]) {
            value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
            guard value <= 65535 else { throw SIPSyntaxError("port out of range", position: start) }
            i += 1
        }
        guard i > start else { throw SIPSyntaxError("invalid port", position: start) }
        return (value, i)
    }

    /// `name [ "=" value ]` within `range`, each checked against `table`.
    static func parsePair(_ b: Bytes, _ range: Range<Int>, _ table: ByteSet, _ what: String, valueRequired: Bool) throws(SIPSyntaxError) -> (Range<Int>, Range<Int>?) {
        var eq = range.lowerBound
        while eq < range.upperBound, b[eq] != UInt8(ascii: "=") { eq += 1 }
        guard eq > range.lowerBound else { throw SIPSyntaxError("empty \(what) name", position: range.lowerBound) }
        try check(b, range.lowerBound..<eq, table, what)
        guard eq < range.upperBound else {
            if valueRequired { throw SIPSyntaxError("\(what) without value", position: range.lowerBound) }
            return (range, nil)
        }
        try check(b, (eq + 1)..<range.upperBound, table, what)
        return (range.lowerBound..<eq, (eq + 1)..<range.upperBound)
    }

    /// tel: telephone-subscriber *( ";" param ) (RFC 3966 §3).
    static func parseTel<Sink: SIPURIPartSink>(_ b: Bytes, from start: Int, into sink: inout Sink) throws(SIPSyntaxError) {
        var semi = start
        while semi < b.count, b[semi] != UInt8(ascii: ";") { semi += 1 }
        guard semi > start else { throw SIPSyntaxError("empty telephone number", position: start) }
        try check(b, start..<semi, telChars, "telephone number")
        sink.scheme(.tel)
        sink.user(start..<semi, password: nil)
        var i = semi
        while i < b.count {
            var end = i + 1
            while end < b.count, b[end] != UInt8(ascii: ";") { end += 1 }
            let (name, value) = try parsePair(b, (i + 1)..<end, paramChars, "tel parameter", valueRequired: false)
            sink.parameter(name, value)
            i = end
        }
    }
}
