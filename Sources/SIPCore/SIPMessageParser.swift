/// Parses SIP messages from bytes (RFC 3261 §7, §18.3, §25).
///
/// The parser frames the message (start line, header lines with LWS unfolding, body by
/// Content-Length) and checks the start line and UTF-8. It does not interpret header values:
/// typed accessors and `SIPMessageValidator` do that, so a message is cheap to parse and to
/// forward. The input is copied once; header values are slices of that copy. Bare LF line
/// ends are accepted as well as CRLF.
public struct SIPMessageParser: Sendable {
    public var limits: SIPParserLimits

    public init(limits: SIPParserLimits = .default) {
        self.limits = limits
    }

    /// Parses one datagram (RFC 3261 §18.3): the body is Content-Length bytes, octets after
    /// it are ignored, and without Content-Length the body is the rest of the datagram.
    public func parseDatagram(_ bytes: some Collection<UInt8>) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageSize else {
            throw SIPParseError(.messageTooLarge, offset: limits.maxMessageSize, "message larger than \(limits.maxMessageSize) bytes")
        }
        return try parseDatagram(storage: Array(bytes))
    }

    /// `parseDatagram` on its own copy of the bytes, which parsed values point into.
    private func parseDatagram(storage: [UInt8]) throws(SIPParseError) -> SIPMessage {
        let parsed = storage.withUnsafeBytes { buf -> Result<SIPMessage, SIPParseError> in
            do throws(SIPParseError) {
                let head = try parseHead(buf, storage: storage, requireContentLength: false)
                if let error = head.startLineError { throw head.withPartial(error) }
                let available = storage.count - head.bodyStart
                let length: Int
                if let declared = head.contentLength {
                    guard declared <= available else {
                        throw SIPParseError(.truncatedBody, offset: storage.count, "Content-Length \(declared) exceeds the \(available) body bytes received", partial: head.partial)
                    }
                    length = declared
                } else {
                    length = available
                }
                let body = Array(buf[head.bodyStart..<(head.bodyStart + length)])
                return .success((consume head).message(body: body, storage: storage))
            } catch {
                return .failure(error)
            }
        }
        return try parsed.get()
    }

    /// The result of reading the start line and headers.
    struct Head {
        enum StartLine {
            /// The method and where the Request-URI is in the input.
            case request(SIPMethod, Range<Int>)
            case response(Int, String)
            /// A start line that did not parse; the headers are still read, for the partial
            /// message an error response needs.
            case invalid(SIPParseError)
        }
        var startLine: StartLine
        var headers: SIPHeaders
        var contentLength: Int?
        var bodyStart: Int
        /// The start line with its CRLF, when it ended in CRLF.
        var startLineRange: Range<Int>?

        var startLineError: SIPParseError? {
            if case .invalid(let error) = startLine { return error }
            return nil
        }

        var partial: SIPPartialMessage {
            switch startLine {
            case .request(let m, _): SIPPartialMessage(isRequest: true, method: m, headers: headers)
            case .response: SIPPartialMessage(isRequest: false, method: nil, headers: headers)
            case .invalid(let e): SIPPartialMessage(isRequest: e.partial?.isRequest ?? false, method: e.partial?.method, headers: headers)
            }
        }

        /// The error to report for a problem found in the headers: the earliest problem is the
        /// one reported, so a bad start line wins over a later header error.
        func failure(_ kind: SIPParseError.Kind, _ offset: Int, _ detail: String) -> SIPParseError {
            if let e = startLineError { return withPartial(e) }
            return SIPParseError(kind, offset: offset, detail, partial: partial)
        }

        /// The start-line error with the headers read, when the start line was a request.
        func withPartial(_ error: SIPParseError) -> SIPParseError {
            var e = error
            if e.partial != nil { e.partial = partial }
            return e
        }

        /// The message, once the caller has checked that the start line parsed.
        consuming func message(body: [UInt8], storage: [UInt8]) -> SIPMessage {
            switch startLine {
            case .request(let m, let uri):
                return .request(SIPRequest(method: m, receivedURI: storage[uri], requestLine: startLineRange.map { storage[$0] },
                                           headers: headers, body: body))
            case .response(let code, let reason): return .response(SIPResponse(statusCode: code, reasonPhrase: reason, headers: headers, body: body))
            case .invalid(let error): preconditionFailure("message() of a head whose start line failed: \(error)")
            }
        }
    }

    /// Reads the start line and headers up to and including the empty line. Header values
    /// are slices of `storage`.
    func parseHead(_ storage: [UInt8], requireContentLength: Bool) throws(SIPParseError) -> Head {
        let attempt: (UnsafeRawBufferPointer) -> Result<Head, SIPParseError> = { buf in
            do throws(SIPParseError) {
                return .success(try parseHead(buf, storage: storage, requireContentLength: requireContentLength))
            } catch {
                return .failure(error)
            }
        }
        switch storage.withUnsafeBytes(attempt) {
        case .success(let head): return head
        case .failure(let error): throw error
        }
    }

    private func parseHead(_ buf: UnsafeRawBufferPointer, storage: [UInt8], requireContentLength: Bool) throws(SIPParseError) -> Head {
        var i = 0
        let n = buf.count
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        while i < n, buf[i] == 0x0D || buf[i] == 0x0A { i += 1 }
        guard i < n else { throw SIPParseError(.empty, offset: 0, "empty message") }

        guard let (lineEnd, next) = findLineEnd(buf, from: i) else {
            throw SIPParseError(.incompleteHeaders, offset: n, "no end of start line")
        }
        guard lineEnd - i <= limits.maxLineLength else {
            throw SIPParseError(.lineTooLong, offset: i, "start line longer than \(limits.maxLineLength) bytes")
        }
        let startLine: Head.StartLine
        switch parseStartLine(UnsafeRawBufferPointer(rebasing: buf[i..<lineEnd]), offset: i) {
        case .success(let line): startLine = line
        case .failure(let error): startLine = .invalid(error)
        }
        var head = Head(startLine: startLine, headers: SIPHeaders(source: storage, capacity: 20), contentLength: nil, bodyStart: 0)
        if buf[lineEnd] == 0x0D { head.startLineRange = i..<next }
        i = next

        // Nearly every message is ASCII throughout; only otherwise is each value checked for
        // UTF-8. The line scans OR together every byte they read, so `seen` covers each
        // header line (and perhaps a few bytes after it) once that line has been found.
        var seen: UInt8 = 0
        var contentLengthOffset = 0

        while true {
            // A datagram's end is the message's end: one that stops right after a header line
            // has no body (the RFC 4475 archive has such a copy of baddn.dat).
            if i == n, !requireContentLength, !head.headers.isEmpty { break }
            guard let (lineEnd, next) = findLineEnd(buf, from: i, seen: &seen) else {
                throw head.failure(.incompleteHeaders, n, "headers not terminated by an empty line")
            }
            if lineEnd == i {
                i = next
                break
            }
            let lineStart = i
            // Unfold: continuation lines start with SP or HT (RFC 3261 §7.3.1).
            var end = lineEnd
            var after = next
            var folded = false
            while after < n, buf[after] == 0x20 || buf[after] == 0x09 {
                guard let (e2, n2) = findLineEnd(buf, from: after, seen: &seen) else {
                    throw head.failure(.incompleteHeaders, n, "headers not terminated by an empty line")
                }
                folded = true
                end = e2
                after = n2
            }
            guard end - lineStart <= limits.maxLineLength else {
                throw head.failure(.lineTooLong, lineStart, "header line longer than \(limits.maxLineLength) bytes")
            }
            guard head.headers.count < limits.maxHeaderCount else {
                throw head.failure(.tooManyHeaders, lineStart, "more than \(limits.maxHeaderCount) header lines")
            }
            // header-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS. A known name is a token by
            // construction; only other names are checked byte by byte.
            guard let colon = ByteScanning.firstIndex(of: UInt8(ascii: ":"), in: buf, from: lineStart), colon < end else {
                throw head.failure(.malformedHeader, lineStart, "header line without ':'")
            }
            var nameEnd = colon
            while nameEnd > lineStart, buf[nameEnd - 1] == 0x20 || buf[nameEnd - 1] == 0x09 { nameEnd -= 1 }
            let nameBytes = UnsafeRawBufferPointer(rebasing: buf[lineStart..<nameEnd])
            let id = SIPHeaderName.knownID(nameBytes)
            guard id != 0 || (!nameBytes.isEmpty && SIPCharacterClass.allToken(nameBytes)) else {
                throw head.failure(.malformedHeader, lineStart, "invalid header name")
            }

            // The value: LWS trimmed at both ends.
            var s = colon + 1, e = end
            while s < e, buf[s] == 0x20 || buf[s] == 0x09 || buf[s] == 0x0D || buf[s] == 0x0A { s += 1 }
            while e > s, buf[e - 1] == 0x20 || buf[e - 1] == 0x09 || buf[e - 1] == 0x0D || buf[e - 1] == 0x0A { e -= 1 }
            let allASCII = seen < 0x80
            let copyEnd = buf[end] == 0x0D ? after : 0
            if !folded, allASCII, id != 0, id != SIPHeaderName.contentLength.id {
                // The common case: a known name, one line, nothing to check in the value.
                head.headers.appendParsed(id: id, start: s, count: e - s, offset: lineStart, lineEnd: copyEnd)
            } else {
                let name = id != 0 ? SIPHeaderName(id: id) : SIPHeaderName(unknown: String(decoding: nameBytes, as: UTF8.self))
                try addChecked(name, buf, value: s..<e, folded: folded, allASCII: allASCII,
                               lineStart: lineStart, lineEnd: copyEnd, to: &head, contentLengthOffset: &contentLengthOffset)
            }
            i = after
        }
        head.bodyStart = i
        if requireContentLength, head.contentLength == nil {
            throw head.failure(.missingContentLength, i, "Content-Length is required on a stream transport (RFC 3261 §18.3)")
        }
        return head
    }

    /// Adds a header that needs more than the common case: a folded value (unfolded into a
    /// copy), a value that may not be UTF-8 (RFC 3261 §7.3.1 TEXT-UTF8), Content-Length
    /// (1*DIGIT, §20.14, one value however often repeated) or an unknown name. `lineEnd` is
    /// where the next line starts when this one ends in CRLF, else 0 (as `appendParsed` takes it).
    private func addChecked(_ name: SIPHeaderName, _ buf: UnsafeRawBufferPointer, value: Range<Int>, folded: Bool, allASCII: Bool,
                            lineStart: Int, lineEnd: Int, to head: inout Head, contentLengthOffset: inout Int) throws(SIPParseError) {
        let raw = UnsafeRawBufferPointer(rebasing: buf[value])
        if folded {
            let unfolded = unfold(raw)
            if let error = unfolded.withUnsafeBytes({ check($0, name, allASCII, lineStart, &head, &contentLengthOffset) }) { throw error }
            head.headers.append(name, String(decoding: unfolded, as: UTF8.self), offset: lineStart)
        } else {
            if let error = check(raw, name, allASCII, lineStart, &head, &contentLengthOffset) { throw error }
            head.headers.appendParsed(name, start: value.lowerBound, count: value.count, offset: lineStart, lineEnd: lineEnd)
        }
    }

    /// The value's own checks; records Content-Length in `head`.
    private func check(_ value: UnsafeRawBufferPointer, _ name: SIPHeaderName, _ allASCII: Bool, _ lineStart: Int,
                       _ head: inout Head, _ contentLengthOffset: inout Int) -> SIPParseError? {
        guard allASCII || UTF8Validation.isValid(value) else { return head.failure(.invalidUTF8, lineStart, "header value is not UTF-8") }
        guard name == .contentLength else { return nil }
        guard !value.isEmpty, value.count <= 10, value.allSatisfy(SIPCharacterClass.isDigit) else {
            return head.failure(.invalidContentLength, lineStart, "Content-Length '\(String(decoding: value, as: UTF8.self))' is not a non-negative number")
        }
        let cl = value.reduce(0) { $0 * 10 + Int($1 - 48) }
        if let previous = head.contentLength, previous != cl {
            return head.failure(.conflictingContentLength, lineStart, "Content-Length \(cl) conflicts with \(previous) at byte \(contentLengthOffset)")
        }
        guard cl <= limits.maxMessageSize else {
            return head.failure(.messageTooLarge, lineStart, "Content-Length \(cl) exceeds the \(limits.maxMessageSize)-byte limit")
        }
        head.contentLength = cl
        contentLengthOffset = lineStart
        return nil
    }

    /// A folded value with each line break and the whitespace around it replaced by one SP.
    private func unfold(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            let b = raw[k]
            if b == 0x0D || b == 0x0A {
                while k < raw.count, raw[k] == 0x0D || raw[k] == 0x0A || raw[k] == 0x20 || raw[k] == 0x09 { k += 1 }
                while let last = out.last, last == 0x20 || last == 0x09 { out.removeLast() }
                out.append(0x20)
            } else {
                out.append(b)
                k += 1
            }
        }
        return out
    }

    /// Index of the line terminator (CR of CRLF, or a bare LF) and of the next line's start.
    @inline(__always)
    func findLineEnd(_ buf: UnsafeRawBufferPointer, from: Int) -> (Int, Int)? {
        var seen: UInt8 = 0
        return findLineEnd(buf, from: from, seen: &seen)
    }

    /// `findLineEnd`, OR-ing every byte it reads into `seen`.
    @inline(__always)
    func findLineEnd(_ buf: UnsafeRawBufferPointer, from: Int, seen: inout UInt8) -> (Int, Int)? {
        guard let j = ByteScanning.firstIndex(of: 0x0A, in: buf, from: from, seen: &seen) else { return nil }
        return (j > from && buf[j - 1] == 0x0D ? j - 1 : j, j + 1)
    }

    /// Request-Line (RFC 3261 §7.1) or Status-Line (§7.2), with single SPs as the grammar
    /// demands (RFC 4475 §3.1.2.9 and §3.1.2.10 show why the strict reading is safe).
    func parseStartLine(_ line: UnsafeRawBufferPointer, offset: Int) -> Result<Head.StartLine, SIPParseError> {
        let sp = UInt8(ascii: " ")
        guard let firstSP = line.firstIndex(of: sp) else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset, "start line has no SP"))
        }
        let first = UnsafeRawBufferPointer(rebasing: line[..<firstSP])
        if first.count >= 4, first[0] == UInt8(ascii: "S"), first[1] == UInt8(ascii: "I"), first[2] == UInt8(ascii: "P"), first[3] == UInt8(ascii: "/") {
            return parseStatusLine(line, firstSP: firstSP, offset: offset)
        }
        guard SIPCharacterClass.allToken(first) else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset, "method is not a token"))
        }
        let method = SIPMethod(String(decoding: first, as: UTF8.self))
        var partial: SIPPartialMessage { SIPPartialMessage(isRequest: true, method: method, headers: []) }
        guard let lastSP = line.lastIndex(of: sp), lastSP > firstSP + 1 else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset + firstSP, "Request-Line needs Method SP Request-URI SP SIP-Version", partial: partial))
        }
        let version = UnsafeRawBufferPointer(rebasing: line[(lastSP + 1)...])
        switch SIPMessageParser.checkVersion(version) {
        case .malformed:
            return .failure(SIPParseError(.malformedStartLine, offset: offset + lastSP + 1, "malformed SIP-Version", partial: partial))
        case .unsupported:
            return .failure(SIPParseError(.unsupportedVersion, offset: offset + lastSP + 1, "unsupported SIP-Version \(String(decoding: version, as: UTF8.self))", partial: partial))
        case .ok: break
        }
        do {
            try SIPURI.validate(UnsafeRawBufferPointer(rebasing: line[(firstSP + 1)..<lastSP]))
            return .success(.request(method, (offset + firstSP + 1)..<(offset + lastSP)))
        } catch {
            return .failure(SIPParseError(.malformedStartLine, offset: offset + firstSP + 1 + (error.position ?? 0), "bad Request-URI: \(error.reason)", partial: partial))
        }
    }

    private func parseStatusLine(_ line: UnsafeRawBufferPointer, firstSP: Int, offset: Int) -> Result<Head.StartLine, SIPParseError> {
        let version = UnsafeRawBufferPointer(rebasing: line[..<firstSP])
        guard SIPMessageParser.checkVersion(version) == .ok else {
            return .failure(SIPParseError(.unsupportedVersion, offset: offset, "unsupported SIP-Version in status line"))
        }
        let rest = UnsafeRawBufferPointer(rebasing: line[(firstSP + 1)...])
        var codeEnd = 0
        while codeEnd < rest.count, SIPCharacterClass.isDigit(rest[codeEnd]) { codeEnd += 1 }
        guard codeEnd == 3, codeEnd == rest.count || rest[codeEnd] == UInt8(ascii: " ") else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset + firstSP + 1, "Status-Code must be three digits"))
        }
        let code = Int(rest[0] - 48) * 100 + Int(rest[1] - 48) * 10 + Int(rest[2] - 48)
        guard (100...699).contains(code) else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset + firstSP + 1, "Status-Code \(code) out of range 100-699"))
        }
        let reasonBytes = codeEnd < rest.count ? UnsafeRawBufferPointer(rebasing: rest[(codeEnd + 1)...]) : UnsafeRawBufferPointer(rebasing: rest[rest.count...])
        guard UTF8Validation.isValid(reasonBytes) else {
            return .failure(SIPParseError(.invalidUTF8, offset: offset + firstSP + 5, "Reason-Phrase is not UTF-8"))
        }
        return .success(.response(code, String(decoding: reasonBytes, as: UTF8.self)))
    }

    enum VersionCheck { case ok, unsupported, malformed }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (RFC 3261 §7.1).
    static func checkVersion(_ v: UnsafeRawBufferPointer) -> VersionCheck {
        guard v.count >= 7, asciiLower(v[0]) == UInt8(ascii: "s"), asciiLower(v[1]) == UInt8(ascii: "i"),
              asciiLower(v[2]) == UInt8(ascii: "p"), v[3] == UInt8(ascii: "/") else { return .malformed }
        var dots = 0, dot = -1
        for k in 4..<v.count {
            if v[k] == UInt8(ascii: ".") {
                dots += 1
                dot = k
            } else if !SIPCharacterClass.isDigit(v[k]) {
                return .malformed
            }
        }
        guard dots == 1, dot > 4, dot < v.count - 1 else { return .malformed }
        return v.count == 7 && v[4] == UInt8(ascii: "2") && v[6] == UInt8(ascii: "0") ? .ok : .unsupported
    }
}

/// UTF-8 well-formedness (RFC 3629 §4), with an all-ASCII fast path.
enum UTF8Validation {
    static func isValid<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var ascii: UInt8 = 0
        for b in bytes { ascii |= b }
        if ascii < 0x80 { return true }
        var it = bytes.makeIterator()
        while let b = it.next() {
            if b < 0x80 { continue }
            let extra: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: extra = 1; scalar = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: extra = 2; scalar = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: extra = 3; scalar = UInt32(b & 0x07); minimum = 0x10000
            default: return false
            }
            for _ in 0..<extra {
                guard let c = it.next(), c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
        }
        return true
    }
}
