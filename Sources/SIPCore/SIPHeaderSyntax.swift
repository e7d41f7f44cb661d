/// Grammar checks for the header fields whose values sipdial interprets (RFC 3261 §20,
/// §25.1 and the extensions named per case). Unknown headers are not checked.
enum SIPHeaderSyntax {
    /// Checks one field value; throws the syntax error found, if any. For a Via field it
    /// returns the first via-parm it parsed (the request checks look at its branch).
    @discardableResult
    static func check(_ field: SIPHeaderField) throws(SIPSyntaxError) -> Via? {
        // The value as text and the name as text are made only where a check needs them; the
        // commonest checks read the value's bytes.
        var v: String { field.value }
        var h: String { field.name.name }
        switch field.name {
        case .via:
            return try Via.parseList(v).first
        case .from, .to, .referTo, .referredBy:
            try SIPAddress.validate(SIPValueScanner(bytes: field.valueBytes, header: h))
        case .contact:
            try SIPContact.validate(v)
        case .route, .recordRoute, .pAssertedIdentity, .pPreferredIdentity:
            try SIPAddress.validateList(v, header: h)
        case .callID:
            try checkCallID(field.valueBytes)
        case .cseq:
            _ = try CSeq(scanning: SIPValueScanner(bytes: field.valueBytes, header: "CSeq"))
        case .maxForwards:
            var s = SIPValueScanner(bytes: field.valueBytes, header: h)
            let n = try s.uint32("Max-Forwards")
            try s.expectEnd()
            guard n <= 255 else { throw SIPSyntaxError("Max-Forwards must be 0-255", header: h) }
        case .expires, .minExpires, .rseq:
            // delta-seconds: digits; RFC 3261 §20.19 lets an over-large value count as 2^32-1.
            let digits = field.valueBytes
            guard !digits.isEmpty, digits.allSatisfy(SIPCharacterClass.isDigit) else {
                throw SIPSyntaxError("expected a number of seconds", header: h)
            }
            if field.name == .rseq, UInt32(v) == nil { throw SIPSyntaxError("RSeq exceeds 2^32-1", header: h) }
        case .rack:
            _ = try RAck(parsing: v)
        case .contentType:
            _ = try SIPParameterizedValue(parsing: v, header: h, mediaType: true)
        case .accept:
            if !v.isEmpty { _ = try SIPParameterizedValue.parseList(v, header: h, mediaType: true) }
        case .require, .proxyRequire, .supported, .unsupported, .allow, .contentEncoding, .allowEvents:
            guard isTokenList(v) else {
                let bad = splitSIPList(v).map { $0.trimmingSIPWhitespace() }.first { !$0.isEmpty && !SIPCharacterClass.isToken($0) }
                throw SIPSyntaxError("'\(bad ?? Substring(v))' is not a token", header: h)
            }
        case .sessionExpires, .minSE:
            let p = try SIPParameterizedValue(parsing: v, header: h)
            guard UInt32(p.value) != nil else { throw SIPSyntaxError("expected a number of seconds", header: h) }
        case .retryAfter:
            // delta-seconds of any length: a 503 with an over-large one still fails over, and
            // the reader caps the wait (SIPHeaders.maxRetryAfterSeconds).
            let p = try SIPParameterizedValue(parsing: v, header: h)
            guard SIPCharacterClass.isDigits(p.value) else {
                throw SIPSyntaxError("expected a number of seconds", header: h)
            }
        case .event, .subscriptionState, .contentDisposition:
            _ = try SIPParameterizedValue(parsing: v, header: h)
        case .reason:
            _ = try SIPParameterizedValue.parseList(v, header: h)
        case .privacy:
            // priv-value *(";" priv-value) (RFC 3323 §4.2).
            for part in v.split(separator: ";", omittingEmptySubsequences: false) {
                guard SIPCharacterClass.isToken(part.trimmingSIPWhitespace()) else {
                    throw SIPSyntaxError("'\(part)' is not a privacy value", header: h)
                }
            }
        case .wwwAuthenticate, .proxyAuthenticate, .authorization, .proxyAuthorization:
            _ = try SIPAuthValue(parsing: v, header: h)
        case .date:
            try checkDate(v)
        case .warning:
            try checkWarning(v)
        default:
            break
        }
        return nil
    }

    /// `token *(COMMA token)` with LWS around the commas and empty elements tolerated, as
    /// option tags, methods and encodings are listed (RFC 3261 §20.37, §20.5, §20.12): one
    /// pass over the bytes.
    static func isTokenList(_ v: String) -> Bool {
        var v = v
        return v.withUTF8 { isTokenList(UnsafeRawBufferPointer($0)) }
    }

    static func isTokenList(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // 0: before an element, 1: in a token, 2: after a token's trailing whitespace.
        var state = 0
        for b in bytes {
            if b == UInt8(ascii: ",") {
                state = 0
            } else if b == 0x20 || b == 0x09 {
                if state == 1 { state = 2 }
            } else {
                guard state != 2, SIPCharacterClass.token.contains(b) else { return false }
                state = 1
            }
        }
        return true
    }

    /// callid = word [ "@" word ] (RFC 3261 §25.1).
    static func checkCallID(_ v: [UInt8]) throws(SIPSyntaxError) {
        let failure = SIPSyntaxError("Call-ID must be word [\"@\" word]", header: "Call-ID")
        var splitAtSign = false, length = 0
        for b in v {
            if b == UInt8(ascii: "@"), !splitAtSign {
                guard length > 0 else { throw failure }
                (splitAtSign, length) = (true, 0)
            } else {
                guard SIPCharacterClass.word.contains(b) else { throw failure }
                length += 1
            }
        }
        guard length > 0 else { throw failure }
    }

    /// rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17).
    static func checkDate(_ v: String) throws(SIPSyntaxError) {
        let days: Set<Substring> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months: Set<Substring> = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let f = v.split(separator: " ")
        func digits(_ s: Substring, _ n: Int) -> Bool { s.count == n && s.utf8.allSatisfy(SIPCharacterClass.isDigit) }
        guard f.count == 6, f[0].hasSuffix(","), days.contains(f[0].dropLast()), digits(f[1], 2),
              months.contains(f[2]), digits(f[3], 4), f[5] == "GMT" else {
            throw SIPSyntaxError("Date must be an RFC 1123 date in GMT", header: "Date")
        }
        let t = f[4].split(separator: ":", omittingEmptySubsequences: false)
        guard t.count == 3, t.allSatisfy({ digits($0, 2) }) else {
            throw SIPSyntaxError("Date must be an RFC 1123 date in GMT", header: "Date")
        }
    }

    /// warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT (RFC 3261 §20.43).
    static func checkWarning(_ v: String) throws(SIPSyntaxError) {
        for part in splitSIPList(v) {
            let f = part.trimmingSIPWhitespace().split(separator: " ", maxSplits: 2)
            guard f.count == 3, f[0].count == 3, f[0].utf8.allSatisfy(SIPCharacterClass.isDigit), f[2].hasPrefix("\"") else {
                throw SIPSyntaxError("Warning must be 3-digit code, agent and quoted text", header: "Warning")
            }
        }
    }
}
