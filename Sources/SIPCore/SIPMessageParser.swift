/// Parses SIP messages from bytes (RFC 3261 §7, §18.3, §25).
///
/// The parser frames the message (start line, header lines with LWS unfolding, body by
/// Content-Length) and checks the start line. It does not interpret header values: typed
/// accessors and `SIPRequestValidator` do that, so a message is cheap to parse and forward.
/// Bare LF line ends are accepted as well as CRLF.
public struct SIPMessageParser: Sendable {
    public var limits: SIPParserLimits

    public init(limits: SIPParserLimits = .default) {
        self.limits = limits
    }

    /// Parses one datagram (RFC 3261 §18.3): the body is Content-Length bytes, octets after
    /// it are ignored, and without Content-Length the body is the rest of the datagram.
    public func parseDatagram(_ bytes: some Collection<UInt8>) throws(SIPParseError) -> SIPMessage {
        let attempt: (UnsafeRawBufferPointer) -> Result<SIPMessage, SIPParseError> = { buf in
            do throws(SIPParseError) {
                return .success(try parseDatagram(buf))
            } catch {
                return .failure(error)
            }
        }
        let result = bytes.withContiguousStorageIfAvailable { attempt(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes(attempt)
        switch result {
        case .success(let m): return m
        case .failure(let e): throw e
        }
    }

    public func parseDatagram(_ buf: UnsafeRawBufferPointer) throws(SIPParseError) -> SIPMessage {
        guard buf.count <= limits.maxMessageSize else {
            throw SIPParseError(.messageTooLarge, offset: limits.maxMessageSize, "message larger than \(limits.maxMessageSize) bytes")
        }
        let head = try parseHead(buf, requireContentLength: false)
        if case .failure = head.startLine { _ = try head.message(body: []) }
        let available = buf.count - head.bodyStart
        let length: Int
        if let declared = head.contentLength {
            guard declared <= available else {
                throw SIPParseError(.truncatedBody, offset: buf.count, "Content-Length \(declared) exceeds the \(available) body bytes received", partial: head.partial)
            }
            length = declared
        } else {
            length = available
        }
        return try head.message(body: Array(buf[head.bodyStart..<(head.bodyStart + length)]))
    }

    /// The result of reading the start line and headers.
    struct Head {
        enum StartLine {
            case request(SIPMethod, SIPURI)
            case response(Int, String)
        }
        var startLine: Result<StartLine, SIPParseError>
        var headers: SIPHeaders
        var contentLength: Int?
        var bodyStart: Int

        var partial: SIPPartialMessage {
            switch startLine {
            case .success(.request(let m, _)): SIPPartialMessage(isRequest: true, method: m, headers: headers)
            case .success(.response): SIPPartialMessage(isRequest: false, method: nil, headers: headers)
            case .failure(let e): e.partial.map { SIPPartialMessage(isRequest: $0.isRequest, method: $0.method, headers: headers) }
                ?? SIPPartialMessage(isRequest: false, method: nil, headers: headers)
            }
        }

        func message(body: [UInt8]) throws(SIPParseError) -> SIPMessage {
            switch startLine {
            case .success(.request(let m, let uri)):
                return .request(SIPRequest(method: m, uri: uri, headers: headers, body: body))
            case .success(.response(let code, let reason)):
                return .response(SIPResponse(statusCode: code, reasonPhrase: reason, headers: headers, body: body))
            case .failure(var e):
                if e.partial != nil { e.partial = partial }
                throw e
            }
        }
    }

    /// Reads the start line and headers up to and including the empty line.
    func parseHead(_ buf: UnsafeRawBufferPointer, requireContentLength: Bool) throws(SIPParseError) -> Head {
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
        let startLine = parseStartLine(UnsafeRawBufferPointer(rebasing: buf[i..<lineEnd]), offset: i)
        i = next

        var fields: [SIPHeaderField] = []
        var offsets: [Int] = []
        fields.reserveCapacity(16)
        offsets.reserveCapacity(16)
        var contentLength: Int?
        var contentLengthOffset = 0
        var partialOnError: SIPPartialMessage {
            let isRequest: Bool
            let method: SIPMethod?
            switch startLine {
            case .success(.request(let m, _)): (isRequest, method) = (true, m)
            case .success(.response): (isRequest, method) = (false, nil)
            case .failure(let e): (isRequest, method) = (e.partial?.isRequest ?? false, e.partial?.method)
            }
            return SIPPartialMessage(isRequest: isRequest, method: method, headers: SIPHeaders(parsed: fields, offsets: offsets))
        }
        // The earliest problem is the one reported: a bad start line wins over a later header error.
        func failure(_ kind: SIPParseError.Kind, _ offset: Int, _ detail: String) -> SIPParseError {
            if case .failure(var e) = startLine {
                if e.partial != nil { e.partial = partialOnError }
                return e
            }
            return SIPParseError(kind, offset: offset, detail, partial: partialOnError)
        }

        while true {
            // A datagram's end is the message's end: one that stops right after a header line
            // has no body (the RFC 4475 archive has such a copy of baddn.dat).
            if i == n, !requireContentLength, !fields.isEmpty { break }
            guard let (lineEnd, next) = findLineEnd(buf, from: i) else {
                throw failure(.incompleteHeaders, n, "headers not terminated by an empty line")
            }
            if lineEnd == i { i = next; break }
            let lineStart = i
            // Unfold: continuation lines start with SP or HT (RFC 3261 §7.3.1).
            var end = lineEnd
            var after = next
            var folded = false
            while after < n, buf[after] == 0x20 || buf[after] == 0x09 {
                guard let (e2, n2) = findLineEnd(buf, from: after) else {
                    throw failure(.incompleteHeaders, n, "headers not terminated by an empty line")
                }
                folded = true
                end = e2
                after = n2
            }
            guard end - lineStart <= limits.maxLineLength else {
                throw failure(.lineTooLong, lineStart, "header line longer than \(limits.maxLineLength) bytes")
            }
            guard fields.count < limits.maxHeaderCount else {
                throw failure(.tooManyHeaders, lineStart, "more than \(limits.maxHeaderCount) header lines")
            }
            // header-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS.
            var colon = lineStart
            while colon < end, buf[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < end else {
                throw failure(.malformedHeader, lineStart, "header line without ':'")
            }
            var nameEnd = colon
            while nameEnd > lineStart, buf[nameEnd - 1] == 0x20 || buf[nameEnd - 1] == 0x09 { nameEnd -= 1 }
            let nameBytes = UnsafeRawBufferPointer(rebasing: buf[lineStart..<nameEnd])
            guard !nameBytes.isEmpty, nameBytes.allSatisfy({ SIPCharacterClass.token[Int($0)] }) else {
                throw failure(.malformedHeader, lineStart, "invalid header name")
            }
            let name = SIPHeaderName.known(nameBytes) ?? SIPHeaderName(String(decoding: nameBytes, as: UTF8.self))
            let value = try headerValue(buf, from: colon + 1, to: end, folded: folded, lineStart: lineStart, partial: partialOnError)
            if name == .contentLength {
                guard let cl = Int(value), cl >= 0, value.utf8.allSatisfy(SIPCharacterClass.isDigit) else {
                    throw failure(.invalidContentLength, lineStart, "Content-Length '\(value)' is not a non-negative number")
                }
                if let previous = contentLength, previous != cl {
                    throw failure(.conflictingContentLength, lineStart, "Content-Length \(cl) conflicts with \(previous) at byte \(contentLengthOffset)")
                }
                guard cl <= limits.maxMessageSize else {
                    throw failure(.messageTooLarge, lineStart, "Content-Length \(cl) exceeds the \(limits.maxMessageSize)-byte limit")
                }
                contentLength = cl
                contentLengthOffset = lineStart
            }
            fields.append(SIPHeaderField(name, value))
            offsets.append(lineStart)
            i = after
        }
        let headers = SIPHeaders(parsed: fields, offsets: offsets)
        if requireContentLength, contentLength == nil {
            throw failure(.missingContentLength, i, "Content-Length is required on a stream transport (RFC 3261 §18.3)")
        }
        return Head(startLine: startLine, headers: headers, contentLength: contentLength, bodyStart: i)
    }

    /// The header value between `from` and `to`, leading/trailing LWS trimmed and each line
    /// fold replaced by one SP.
    private func headerValue(_ buf: UnsafeRawBufferPointer, from: Int, to: Int, folded: Bool, lineStart: Int, partial: @autoclosure () -> SIPPartialMessage) throws(SIPParseError) -> String {
        var s = from, e = to
        while s < e, buf[s] == 0x20 || buf[s] == 0x09 || buf[s] == 0x0D || buf[s] == 0x0A { s += 1 }
        while e > s, buf[e - 1] == 0x20 || buf[e - 1] == 0x09 || buf[e - 1] == 0x0D || buf[e - 1] == 0x0A { e -= 1 }
        let raw = UnsafeRawBufferPointer(rebasing: buf[s..<e])
        if !folded {
            guard let v = String(validating: raw, as: UTF8.self) else {
                throw SIPParseError(.invalidUTF8, offset: lineStart, "header value is not UTF-8", partial: partial())
            }
            return v
        }
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
        guard let v = String(validating: out, as: UTF8.self) else {
            throw SIPParseError(.invalidUTF8, offset: lineStart, "header value is not UTF-8", partial: partial())
        }
        return v
    }

    /// Index of the line terminator (CR of CRLF, or a bare LF) and of the next line's start.
    @inline(__always)
    func findLineEnd(_ buf: UnsafeRawBufferPointer, from: Int) -> (Int, Int)? {
        var j = from
        let n = buf.count
        while j < n {
            let b = buf[j]
            if b == 0x0A { return (j > from && buf[j - 1] == 0x0D ? j - 1 : j, j + 1) }
            j += 1
        }
        return nil
    }

    /// Request-Line (RFC 3261 §7.1) or Status-Line (§7.2), with single SPs as the grammar
    /// demands (RFC 4475 §3.1.2.9 and §3.1.2.10 show why the strict reading is safe).
    func parseStartLine(_ line: UnsafeRawBufferPointer, offset: Int) -> Result<Head.StartLine, SIPParseError> {
        let sp = UInt8(ascii: " ")
        guard let firstSP = line.firstIndex(of: sp) else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset, "start line has no SP"))
        }
        let first = UnsafeRawBufferPointer(rebasing: line[..<firstSP])
        if first.count >= 4, first.starts(with: "SIP/".utf8) {
            return parseStatusLine(line, firstSP: firstSP, offset: offset)
        }
        guard first.allSatisfy({ SIPCharacterClass.token[Int($0)] }) else {
            return .failure(SIPParseError(.malformedStartLine, offset: offset, "method is not a token"))
        }
        let method = SIPMethod(String(decoding: first, as: UTF8.self))
        let partial = SIPPartialMessage(isRequest: true, method: method, headers: [])
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
        let uriBytes = UnsafeRawBufferPointer(rebasing: line[(firstSP + 1)..<lastSP])
        do {
            let uri = try SIPURI(parsing: String(decoding: uriBytes, as: UTF8.self))
            return .success(.request(method, uri))
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
        guard let reason = String(validating: reasonBytes, as: UTF8.self) else {
            return .failure(SIPParseError(.invalidUTF8, offset: offset + firstSP + 5, "Reason-Phrase is not UTF-8"))
        }
        return .success(.response(code, reason))
    }

    enum VersionCheck { case ok, unsupported, malformed }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (RFC 3261 §7.1).
    static func checkVersion(_ v: UnsafeRawBufferPointer) -> VersionCheck {
        guard v.count >= 7, asciiLower(v[0]) == UInt8(ascii: "s"), asciiLower(v[1]) == UInt8(ascii: "i"),
              asciiLower(v[2]) == UInt8(ascii: "p"), v[3] == UInt8(ascii: "/") else { return .malformed }
        let numbers = v[4...]
        guard let dot = numbers.firstIndex(of: UInt8(ascii: ".")), dot > 4, dot < v.count - 1,
              numbers.allSatisfy({ SIPCharacterClass.isDigit($0) || $0 == UInt8(ascii: ".") }),
              numbers.filter({ $0 == UInt8(ascii: ".") }).count == 1 else { return .malformed }
        return v.count == 7 && v[4] == UInt8(ascii: "2") && v[6] == UInt8(ascii: "0") ? .ok : .unsupported
    }
}
