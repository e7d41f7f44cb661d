/// Writes messages as bytes (RFC 3261 §7): start line, one line per header field with the
/// canonical name, CRLF, body. Content-Length is written as stored; `SIPMessage.withContentLength()`
/// sets it from the body before sending.
///
/// The output is sized up front and filled through a raw pointer: one allocation per message
/// and no per-piece capacity checks.
public enum SIPSerializer {
    public static func serialize(_ message: SIPMessage) -> [UInt8] {
        switch message {
        case .request(let r):
            if let line = r.receivedRequestLine {
                return [UInt8](unsafeUninitializedCapacity: line.count + headerBound(r.headers) + r.body.count) { buf, count in
                    var w = ByteWriter(buf.baseAddress!)
                    line.withUnsafeBytes { w.write($0) }
                    w.writeHeadersAndBody(r.headers, r.body)
                    count = w.written(from: buf.baseAddress!)
                }
            }
            var uri: [UInt8] = []
            uri.reserveCapacity(64)
            r.uri.write(into: &uri)
            let bound = r.method.rawValue.utf8.count + uri.count + 12 + headerBound(r.headers) + r.body.count
            return [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
                var w = ByteWriter(buf.baseAddress!)
                w.write(r.method.rawValue)
                w.byte(0x20)
                uri.withUnsafeBytes { w.write($0) }
                w.write(" SIP/2.0\r\n" as StaticString)
                w.writeHeadersAndBody(r.headers, r.body)
                count = w.written(from: buf.baseAddress!)
            }
        case .response(let r):
            let bound = 14 + r.reasonPhrase.utf8.count + headerBound(r.headers) + r.body.count
            return [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
                var w = ByteWriter(buf.baseAddress!)
                w.write("SIP/2.0 " as StaticString)
                let code = r.statusCode
                w.byte(UInt8(48 + code / 100))
                w.byte(UInt8(48 + (code / 10) % 10))
                w.byte(UInt8(48 + code % 10))
                w.byte(0x20)
                w.write(r.reasonPhrase)
                w.write("\r\n" as StaticString)
                w.writeHeadersAndBody(r.headers, r.body)
                count = w.written(from: buf.baseAddress!)
            }
        }
    }

    /// Exact size of the header block.
    private static func headerBound(_ headers: SIPHeaders) -> Int { headers.wireByteCount }
}

/// A cursor writing into memory the caller sized.
struct ByteWriter {
    private var p: UnsafeMutablePointer<UInt8>

    init(_ start: UnsafeMutablePointer<UInt8>) { p = start }

    func written(from start: UnsafeMutablePointer<UInt8>) -> Int { p - start }

    @inline(__always) mutating func byte(_ b: UInt8) {
        p.pointee = b
        p += 1
    }

    @inline(__always) mutating func write(_ src: UnsafeRawBufferPointer) {
        guard let base = src.baseAddress, src.count > 0 else { return }
        UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: src.count)
        p += src.count
    }

    @inline(__always) mutating func write(_ s: StaticString) {
        write(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always) mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    mutating func writeHeadersAndBody(_ headers: SIPHeaders, _ body: [UInt8]) {
        headers.write(into: &self)
        body.withUnsafeBytes { write($0) }
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
