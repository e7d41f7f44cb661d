extension SIPURI {
    /// Parses a URI (RFC 3261 §19.1.1 and §25.1, RFC 3966 for tel, RFC 5118 for IPv6).
    ///
    /// Any whitespace, `<`, `>` or `"` inside the URI is an error: such a URI is only valid
    /// inside a name-addr's brackets, and the caller strips those.
    public init(parsing text: some StringProtocol) throws(SIPSyntaxError) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw SIPSyntaxError("URI has no scheme", position: 0)
        }
        for (i, b) in bytes.enumerated() where b <= 0x20 || b == 0x7F || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"") {
            throw SIPSyntaxError("invalid character in URI", position: i)
        }
        let schemeBytes = bytes[..<colon]
        guard SIPURIGrammar.isScheme(schemeBytes) else {
            throw SIPSyntaxError("invalid URI scheme", position: 0)
        }
        let schemeName = String(decoding: schemeBytes, as: UTF8.self).lowercased()
        let rest = Array(bytes[(colon + 1)...])
        switch schemeName {
        case "sip": self = try SIPURIGrammar.parseSIP(rest, scheme: .sip, base: colon + 1)
        case "sips": self = try SIPURIGrammar.parseSIP(rest, scheme: .sips, base: colon + 1)
        case "tel": self = try SIPURIGrammar.parseTel(rest, base: colon + 1)
        default:
            guard !rest.isEmpty else { throw SIPSyntaxError("empty URI after scheme", position: colon + 1) }
            self.init(host: "")
            self.scheme = .other(String(decoding: schemeBytes, as: UTF8.self))
            self.opaque = String(decoding: rest, as: UTF8.self)
        }
    }
}

/// The pieces of the RFC 3261 §25.1 URI grammar that `SIPURI(parsing:)` uses.
enum SIPURIGrammar {
    static func isScheme(_ b: ArraySlice<UInt8>) -> Bool {
        guard let first = b.first, isAlpha(first) else { return false }
        return b.allSatisfy { isAlpha($0) || SIPCharacterClass.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    static func isAlpha(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    /// unreserved = alphanum / mark (RFC 3261 §25.1).
    static let unreserved: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = true }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = true }
        for b in "-_.!~*'()".utf8 { t[Int(b)] = true }
        return t
    }()

    static let userChars = with(unreserved, "&=+$,;?/%")
    static let passwordChars = with(unreserved, "&=+$,%")
    static let paramChars = with(unreserved, "[]/:&+$%")
    static let headerChars = with(unreserved, "[]/?:+$%")
    static let telChars = with(unreserved, "+#%*:/&=,$?@[]")

    static func with(_ base: [Bool], _ extra: String) -> [Bool] {
        var t = base
        for b in extra.utf8 { t[Int(b)] = true }
        return t
    }

    /// Checks that every `%` starts a two-digit hex escape.
    static func checkEscapes(_ b: ArraySlice<UInt8>, base: Int) throws(SIPSyntaxError) {
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.endIndex, SIPURI.hexValue(b[i + 1]) != nil, SIPURI.hexValue(b[i + 2]) != nil
                else { throw SIPSyntaxError("bad %-escape in URI", position: base + i) }
                i += 3
            } else {
                i += 1
            }
        }
    }

    static func checkChars(_ b: ArraySlice<UInt8>, _ table: [Bool], _ what: String, base: Int) throws(SIPSyntaxError) {
        if let bad = b.firstIndex(where: { !table[Int($0)] }) {
            throw SIPSyntaxError("invalid character in \(what)", position: base + bad)
        }
        try checkEscapes(b, base: base)
    }

    /// sip/sips: [ userinfo "@" ] hostport uri-parameters [ headers ].
    static func parseSIP(_ b: [UInt8], scheme: SIPURI.Scheme, base: Int) throws(SIPSyntaxError) -> SIPURI {
        var i = 0
        var user: String?
        var password: String?
        // user and password cannot hold a raw "@" (RFC 3261 §25.1), so the first one ends the userinfo.
        if let at = b.firstIndex(of: UInt8(ascii: "@")) {
            let info = b[..<at]
            if let colon = info.firstIndex(of: UInt8(ascii: ":")) {
                try checkChars(info[..<colon], userChars, "user part", base: base)
                try checkChars(info[(colon + 1)...], passwordChars, "password", base: base)
                user = String(decoding: info[..<colon], as: UTF8.self)
                password = String(decoding: info[(colon + 1)...], as: UTF8.self)
            } else {
                try checkChars(info, userChars, "user part", base: base)
                user = String(decoding: info, as: UTF8.self)
            }
            guard user?.isEmpty == false else { throw SIPSyntaxError("empty user part", position: base) }
            i = at + 1
        }
        let (host, afterHost) = try parseHost(b, from: i, base: base)
        i = afterHost
        var port: Int?
        if i < b.count, b[i] == UInt8(ascii: ":") {
            let (p, next) = try parsePort(b, from: i + 1, base: base)
            port = p
            i = next
        }
        var uri = SIPURI(scheme: scheme, user: user, password: password, host: host, port: port)
        while i < b.count, b[i] == UInt8(ascii: ";") {
            let start = i + 1
            var end = start
            while end < b.count, b[end] != UInt8(ascii: ";"), b[end] != UInt8(ascii: "?") { end += 1 }
            uri.parameters.append(try parsePair(b[start..<end], paramChars, "URI parameter", base: base, valueRequired: false))
            i = end
        }
        if i < b.count, b[i] == UInt8(ascii: "?") {
            i += 1
            while true {
                var end = i
                while end < b.count, b[end] != UInt8(ascii: "&") { end += 1 }
                uri.headers.append(try parsePair(b[i..<end], headerChars, "URI header", base: base, valueRequired: true))
                if end >= b.count { break }
                i = end + 1
            }
        } else if i < b.count {
            throw SIPSyntaxError("unexpected character after host", position: base + i)
        }
        return uri
    }

    /// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, RFC 5118 §4).
    static func parseHost(_ b: [UInt8], from start: Int, base: Int) throws(SIPSyntaxError) -> (String, Int) {
        guard start < b.count else { throw SIPSyntaxError("missing host", position: base + start) }
        if b[start] == UInt8(ascii: "[") {
            guard let close = b[start...].firstIndex(of: UInt8(ascii: "]")) else {
                throw SIPSyntaxError("unterminated IPv6 reference", position: base + start)
            }
            let inner = b[(start + 1)..<close]
            guard isIPv6(inner) else { throw SIPSyntaxError("invalid IPv6 address", position: base + start) }
            return (String(decoding: b[start...close], as: UTF8.self), close + 1)
        }
        var i = start
        while i < b.count, isHostnameChar(b[i]) { i += 1 }
        guard i > start else { throw SIPSyntaxError("missing host", position: base + start) }
        let host = b[start..<i]
        guard host.first != UInt8(ascii: "."), host.first != UInt8(ascii: "-") else {
            throw SIPSyntaxError("invalid host name", position: base + start)
        }
        return (String(decoding: host, as: UTF8.self), i)
    }

    static func isHostnameChar(_ c: UInt8) -> Bool {
        isAlpha(c) || SIPCharacterClass.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
    }

    /// IPv6 address text: hex groups, colons, an optional trailing dotted IPv4 part. The
    /// RFC 3261 grammar's extra-colon bug (RFC 5118 §4.10) is tolerated.
    static func isIPv6(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count >= 2, b.contains(UInt8(ascii: ":")) else { return false }
        return b.allSatisfy { SIPURI.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
    }

    static func parsePort(_ b: [UInt8], from start: Int, base: Int) throws(SIPSyntaxError) -> (Int, Int) {
        var i = start
        var value = 0
        while i < b.count, SIPCharacterClass.isDigit(b[i]) {
            value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
            guard value <= 65535 else { throw SIPSyntaxError("port out of range", position: base + start) }
            i += 1
        }
        guard i > start else { throw SIPSyntaxError("invalid port", position: base + start) }
        return (value, i)
    }

    static func parsePair(_ b: ArraySlice<UInt8>, _ table: [Bool], _ what: String, base: Int, valueRequired: Bool) throws(SIPSyntaxError) -> SIPParameter {
        let eq = b.firstIndex(of: UInt8(ascii: "="))
        let nameBytes = b[b.startIndex..<(eq ?? b.endIndex)]
        guard !nameBytes.isEmpty else { throw SIPSyntaxError("empty \(what) name", position: base + b.startIndex) }
        try checkChars(nameBytes, table, what, base: base)
        guard let eq else {
            if valueRequired { throw SIPSyntaxError("\(what) without value", position: base + b.startIndex) }
            return SIPParameter(String(decoding: nameBytes, as: UTF8.self))
        }
        let valueBytes = b[(eq + 1)...]
        try checkChars(valueBytes, table, what, base: base)
        return SIPParameter(String(decoding: nameBytes, as: UTF8.self), String(decoding: valueBytes, as: UTF8.self))
    }

    /// tel: telephone-subscriber *( ";" param ) (RFC 3966 §3).
    static func parseTel(_ b: [UInt8], base: Int) throws(SIPSyntaxError) -> SIPURI {
        let semi = b.firstIndex(of: UInt8(ascii: ";")) ?? b.count
        let number = b[..<semi]
        guard !number.isEmpty else { throw SIPSyntaxError("empty telephone number", position: base) }
        try checkChars(number, telChars, "telephone number", base: base)
        var uri = SIPURI(scheme: .tel, user: String(decoding: number, as: UTF8.self), host: "")
        var i = semi
        while i < b.count {
            let start = i + 1
            var end = start
            while end < b.count, b[end] != UInt8(ascii: ";") { end += 1 }
            uri.parameters.append(try parsePair(b[start..<end], paramChars, "tel parameter", base: base, valueRequired: false))
            i = end
        }
        return uri
    }
}
