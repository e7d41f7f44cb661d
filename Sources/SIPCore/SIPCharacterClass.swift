/// Byte classes from the RFC 3261 §25.1 grammar, as 256-entry lookup tables.
enum SIPCharacterClass {
    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    static let token: [Bool] = table(extra: "-.!%*_+`'~")

    /// `word` characters (Call-ID, RFC 3261 §25.1): token plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}".
    static let word: [Bool] = table(extra: "-.!%*_+`'~()<>:\\\"/[]?{}")

    /// Characters allowed in a hostname, IPv4 address or IPv6 reference (RFC 3261 §25.1 `host`).
    static let host: [Bool] = table(extra: "-._[]:")

    private static func table(extra: String) -> [Bool] {
        var t = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = true }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = true }
        for b in extra.utf8 { t[Int(b)] = true }
        return t
    }

    static func isToken(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { token[Int($0)] }
    }

    @inline(__always) static func allToken(_ b: UnsafeRawBufferPointer) -> Bool {
        let table = token
        for c in b where !table[Int(c)] { return false }
        return true
    }

    static func isWord(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { word[Int($0)] }
    }

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }
}

extension StringProtocol {
    /// The string without leading and trailing SP/HT (RFC 3261 §25.1 LWS after unfolding).
    public func trimmingSIPWhitespace() -> Substring {
        let s = Substring(self)
        let u = s.utf8
        var a = u.startIndex, b = u.endIndex
        while a < b, u[a] == 0x20 || u[a] == 0x09 { a = u.index(after: a) }
        while b > a, u[u.index(before: b)] == 0x20 || u[u.index(before: b)] == 0x09 { b = u.index(before: b) }
        return s[a..<b]
    }
}
