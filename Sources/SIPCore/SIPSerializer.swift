/// Writes messages as bytes (RFC 3261 §7): start line, one line per header field with the
/// canonical name, CRLF, body. Content-Length is written as stored; `SIPMessage.withContentLength()`
/// sets it from the body before sending.
public enum SIPSerializer {
    public static func serialize(_ message: SIPMessage) -> [UInt8] {
        var out: [UInt8] = []
        serialize(message, into: &out)
        return out
    }

    public static func serialize(_ message: SIPMessage, into out: inout [UInt8]) {
        switch message {
        case .request(let r):
            out.reserveCapacity(estimate(r.headers, r.body))
            out.appendUTF8(r.method.rawValue)
            out.append(0x20)
            r.uri.write(into: &out)
            out.append(contentsOf: " SIP/2.0\r\n".utf8)
            writeHeadersAndBody(r.headers, r.body, into: &out)
        case .response(let r):
            out.reserveCapacity(estimate(r.headers, r.body))
            out.append(contentsOf: "SIP/2.0 ".utf8)
            let code = r.statusCode
            out.append(contentsOf: [UInt8(48 + code / 100), UInt8(48 + (code / 10) % 10), UInt8(48 + code % 10)])
            out.append(0x20)
            out.appendUTF8(r.reasonPhrase)
            out.append(contentsOf: "\r\n".utf8)
            writeHeadersAndBody(r.headers, r.body, into: &out)
        }
    }

    private static func estimate(_ headers: SIPHeaders, _ body: [UInt8]) -> Int {
        var n = 64 + body.count
        for f in headers.fields { n += f.name.name.utf8.count + f.valueByteCount + 4 }
        return n
    }

    private static func writeHeadersAndBody(_ headers: SIPHeaders, _ body: [UInt8], into out: inout [UInt8]) {
        for f in headers.fields {
            out.appendUTF8(f.name.name)
            out.append(0x3A)
            out.append(0x20)
            f.writeValue(into: &out)
            out.append(0x0D)
            out.append(0x0A)
        }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: body)
    }
}

extension SIPMessage {
    /// The bytes of this message on the wire.
    public var bytes: [UInt8] { SIPSerializer.serialize(self) }

    /// This message with exactly one Content-Length equal to the body size (RFC 3261 §20.14
    /// requires it on streams; sipdial always sends it).
    public func withContentLength() -> SIPMessage {
        switch self {
        case .request(var r):
            r.headers.set(.contentLength, String(r.body.count))
            return .request(r)
        case .response(var r):
            r.headers.set(.contentLength, String(r.body.count))
            return .response(r)
        }
    }
}
