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
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw SIPSyntaxError("URI has no scheme", position: 0)
        }
        let forbidden = SIPURIGrammar.forbidden
        for i in 0..<b.count where forbidden.contains(b[i]) {
            throw SIPSyntaxError("invalid character in URI", position: i)
        }
        let scheme = UnsafeRawBufferPointer(rebasing: b[..<colon])
        guard SIPURIGrammar.isScheme(scheme) else {
            throw SIPSyntaxError("invalid URI scheme", position: 0)
        }
        if SIPURIGrammar.equalsLowercased(scheme, "sip") {
            self = try SIPURIGrammar.parseSIP(b, from: colon + 1, scheme: .sip)
        } else if SIPURIGrammar.equalsLowercased(scheme, "sips") {
            self = try SIPURIGrammar.parseSIP(b, from: colon + 1, scheme: .sips)
        } else if SIPURIGrammar.equalsLowercased(scheme, "tel") {
            self = try SIPURIGrammar.parseTel(b, from: colon + 1)
        } else {
            guard colon + 1 < b.count else { throw SIPSyntaxError("empty URI after scheme", position: colon + 1) }
            self.init(host: "")
            self.scheme = .other(String(decoding: scheme, as: UTF8.self))
            self.opaque = String(decoding: b[(colon + 1)...], as: UTF8.self)
        }
    }
}

/// The pieces of the RFC 3261 §25.1 URI grammar that `SIPURI(parsing:)` uses. Positions in
/// errors are byte offsets from the start of the URI.
enum SIPURIGrammar {
    typealias Bytes = UnsafeRawBufferPointer

    /// Bytes never allowed anywhere in a URI: controls, space, DEL, `<`, `>`, `"`.
    static var forbidden: ByteSet { ByteSet(low: 0x5000_0005_FFFF_FFFF, high: 0x8000_0000_0000_0000) }

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
    static func parseSIP(_ b: Bytes, from start: Int, scheme: SIPURI.Scheme) throws(SIPSyntaxError) -> SIPURI {
        var i = start
        var user: String?
        var password: String?
        // user and password cannot hold a raw "@" (RFC 3261 §25.1), so the first one ends the userinfo.
        var at = start
        while at < b.count, b[at] != UInt8(ascii: "@") { at += 1 }
        if at < b.count {
            var colon = start
            while colon < at, b[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon > start else { throw SIPSyntaxError("empty user part", position: start) }
            try check(b, start..<colon, userChars, "user part")
            user = string(b, start..<colon)
            if colon < at {
                try check(b, (colon + 1)..<at, passwordChars, "password")
                password = string(b, (colon + 1)..<at)
            }
            i = at + 1
        }
        let (host, afterHost) = try parseHost(b, from: i)
        i = afterHost
        var port: Int?
        if i < b.count, b[i] == UInt8(ascii: ":") {
            let (p, next) = try parsePort(b, from: i + 1)
            port = p
            i = next
        }
        var uri = SIPURI(scheme: scheme, user: user, password: password, host: host, port: port)
        while i < b.count, b[i] == UInt8(ascii: ";") {
            var end = i + 1
            while end < b.count, b[end] != UInt8(ascii: ";"), b[end] != UInt8(ascii: "?") { end += 1 }
            uri.parameters.append(try parsePair(b, (i + 1)..<end, paramChars, "URI parameter", valueRequired: false))
            i = end
        }
        if i < b.count, b[i] == UInt8(ascii: "?") {
            i += 1
            while true {
                var end = i
                while end < b.count, b[end] != UInt8(ascii: "&") { end += 1 }
                uri.headers.append(try parsePair(b, i..<end, headerChars, "URI header", valueRequired: true))
                if end >= b.count { break }
                i = end + 1
            }
        } else if i < b.count {
            throw SIPSyntaxError("unexpected character after host", position: i)
        }
        return uri
    }

    /// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, RFC 5118 §4).
    static func parseHost(_ b: Bytes, from start: Int) throws(SIPSyntaxError) -> (String, Int) {
        guard start < b.count else { throw SIPSyntaxError("missing host", position: start) }
        if b[start] == UInt8(ascii: "[") {
            var close = start
            while close < b.count, b[close] != UInt8(ascii: "]") { close += 1 }
            guard close < b.count else { throw SIPSyntaxError("unterminated IPv6 reference", position: start) }
            guard isIPv6(b, (start + 1)..<close) else { throw SIPSyntaxError("invalid IPv6 address", position: start) }
            return (string(b, start..<(close + 1)), close + 1)
        }
        var i = start
        while i < b.count, isHostnameChar(b[i]) { i += 1 }
        guard i > start else { throw SIPSyntaxError("missing host", position: start) }
        guard b[start] != UInt8(ascii: "."), b[start] != UInt8(ascii: "-") else {
            throw SIPSyntaxError("invalid host name", position: start)
        }
        return (string(b, start..<i), i)
    }

    @inline(__always) static func isHostnameChar(_ c: UInt8) -> Bool {
        isAlpha(c) || SIPCharacterClass.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
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

    static func parsePair(_ b: Bytes, _ range: Range<Int>, _ table: ByteSet, _ what: String, valueRequired: Bool) throws(SIPSyntaxError) -> SIPParameter {
        var eq = range.lowerBound
        while eq < range.upperBound, b[eq] != UInt8(ascii: "=") { eq += 1 }
        guard eq > range.lowerBound else { throw SIPSyntaxError("empty \(what) name", position: range.lowerBound) }
        try check(b, range.lowerBound..<eq, table, what)
        guard eq < range.upperBound else {
            if valueRequired { throw SIPSyntaxError("\(what) without value", position: range.lowerBound) }
            return SIPParameter(string(b, range))
        }
        try check(b, (eq + 1)..<range.upperBound, table, what)
        return SIPParameter(string(b, range.lowerBound..<eq), string(b, (eq + 1)..<range.upperBound))
    }

    /// tel: telephone-subscriber *( ";" param ) (RFC 3966 §3).
    static func parseTel(_ b: Bytes, from start: Int) throws(SIPSyntaxError) -> SIPURI {
        var semi = start
        while semi < b.count, b[semi] != UInt8(ascii: ";") { semi += 1 }
        guard semi > start else { throw SIPSyntaxError("empty telephone number", position: start) }
        try check(b, start..<semi, telChars, "telephone number")
        var uri = SIPURI(scheme: .tel, user: string(b, start..<semi), host: "")
        var i = semi
        while i < b.count {
            var end = i + 1
            while end < b.count, b[end] != UInt8(ascii: ";") { end += 1 }
            uri.parameters.append(try parsePair(b, (i + 1)..<end, paramChars, "tel parameter", valueRequired: false))
            i = end
        }
        return uri
    }
}
