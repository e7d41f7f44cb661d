/// Byte classes from the RFC 3261 §25.1 grammar (CharacterClassTests checks each mask
/// against the grammar's character list).
enum SIPCharacterClass {
    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    static var token: ByteSet { ByteSet(low: 0x03FF_6CA2_0000_0000, high: 0x47FF_FFFF_87FF_FFFE) }

    /// `word` characters (Call-ID, RFC 3261 §25.1): token plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}".
    static var word: ByteSet { ByteSet(low: 0xD7FF_EFA6_0000_0000, high: 0x6FFF_FFFF_BFFF_FFFE) }

    /// Characters allowed in a hostname, IPv4 address or IPv6 reference (RFC 3261 §25.1 `host`).
    static var host: ByteSet { ByteSet(low: 0x07FF_6000_0000_0000, high: 0x07FF_FFFE_AFFF_FFFE) }

    /// DIGIT.
    static var digits: ByteSet { ByteSet(low: 0x03FF_0000_0000_0000, high: 0) }

    static func isToken(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(token.contains)
    }

    /// One or more ASCII digits: delta-seconds and the like (RFC 3261 §25.1 `1*DIGIT`).
    static func isDigits(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(isDigit)
    }

    @inline(__always) static func allToken(_ b: UnsafeRawBufferPointer) -> Bool {
        token.containsAll(b)
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
