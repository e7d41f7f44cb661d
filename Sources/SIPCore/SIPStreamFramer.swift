/// Cuts a byte stream (TCP, TLS) into SIP messages (RFC 3261 §18.3): each message needs a
/// Content-Length, CRLF keep-alives between messages are skipped (RFC 5626 §3.5.1), and a
/// framing error is final for the connection, since the stream position is then unknown.
public struct SIPStreamFramer: Sendable {
    public enum Frame: Sendable, Equatable {
        /// Not enough bytes yet; nothing was consumed.
        case needMoreData
        /// Only keep-alive CRLFs were found; `consumed` bytes can be dropped.
        case keepAlive(consumed: Int, doubleCRLF: Bool)
        /// One message and how many bytes it used, including leading CRLFs.
        case message(SIPMessage, consumed: Int)
    }

    public var parser: SIPMessageParser
    /// Total size of the message being received, once its headers have been read.
    private var pendingLength: Int?

    public init(limits: SIPParserLimits = .default) {
        self.parser = SIPMessageParser(limits: limits)
    }

    /// Looks for one complete message at the start of `buf`.
    public mutating func frame(_ buf: UnsafeRawBufferPointer) throws(SIPParseError) -> Frame {
        var start = 0
        while start < buf.count, buf[start] == 0x0D || buf[start] == 0x0A { start += 1 }
        if start == buf.count {
            guard start > 0 else { return .needMoreData }
            return .keepAlive(consumed: start, doubleCRLF: start >= 4)
        }
        if start > 0, pendingLength == nil {
            return .keepAlive(consumed: start, doubleCRLF: start >= 4)
        }
        let limits = parser.limits
        if let total = pendingLength {
            guard buf.count >= total else { return .needMoreData }
            pendingLength = nil
            let message = try parser.parseDatagram(UnsafeRawBufferPointer(rebasing: buf[..<total]))
            return .message(message, consumed: total)
        }
        guard SIPStreamFramer.endOfHead(buf) != nil else {
            if buf.count > limits.maxMessageSize {
                throw SIPParseError(.messageTooLarge, offset: 0, "no end of headers within \(limits.maxMessageSize) bytes")
            }
            return .needMoreData
        }
        // One copy of what is there (bounded by the size limit); usually the whole message.
        let storage = Array(UnsafeRawBufferPointer(rebasing: buf[..<min(buf.count, limits.maxMessageSize)]))
        let head = try parser.parseHead(storage, requireContentLength: true)
        if let error = head.startLineError { throw head.withPartial(error) }
        let total = head.bodyStart + (head.contentLength ?? 0)
        guard total <= limits.maxMessageSize else {
            throw SIPParseError(.messageTooLarge, offset: 0, "message of \(total) bytes exceeds the \(limits.maxMessageSize)-byte limit", partial: head.partial)
        }
        guard storage.count >= total else {
            pendingLength = total
            return .needMoreData
        }
        return .message(head.message(body: Array(storage[head.bodyStart..<total]), storage: storage), consumed: total)
    }

    /// Index just past the empty line that ends the headers (CRLFCRLF or LFLF), if present.
    static func endOfHead(_ buf: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i < buf.count {
            if buf[i] == 0x0A {
                if i + 1 < buf.count, buf[i + 1] == 0x0A { return i + 2 }
                if i + 2 < buf.count, buf[i + 1] == 0x0D, buf[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }
}
