// libFuzzer target for the SIP parser, framer, validator and serializer.
// Built by Fuzz/run.sh together with Sources/SIPCore/*.swift in one module.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - nothing crashes, overflows or hangs, whatever the bytes;
// - a Request-URI that passed validation builds (its getter would trap otherwise);
// - a message that parses serializes to bytes that parse back to an equal message;
// - the stream framer, fed the same bytes in two pieces, agrees with itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func sipParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parser = SIPMessageParser()
    let validator = SIPMessageValidator()
    do {
        let message = try parser.parseDatagram(bytes)
        // The Request-URI is validated at parse time and built on read: the build must not fail.
        if case .request(let r) = message { _ = r.uri }
        _ = validator.check(message)
        let again = try parser.parseDatagram(message.bytes)
        precondition(again == message, "round trip changed the message")
        for field in message.headers {
            _ = try? SIPHeaderSyntax.check(field)
            _ = try? SIPAddress(parsing: field.value)
            _ = try? Via.parseList(field.value)
            _ = try? SIPAuthValue(parsing: field.value)
        }
    } catch {
        _ = validator.check(error)
    }
    _ = try? SIPURI(parsing: String(decoding: bytes, as: UTF8.self))

    var framer = SIPStreamFramer()
    let split = size / 2
    var buffer = Array(bytes[..<split])
    var offset = 0
    var frames = 0
    for chunk in [Array(bytes[split...]), []] {
        buffer.append(contentsOf: chunk)
        while frames < 64 {
            let result = buffer[offset...].withUnsafeBytes { buf in Result { try framer.frame(buf) } }
            guard case .success(let frame) = result else { return 0 }
            switch frame {
            case .needMoreData: break
            case .keepAlive(let consumed, _): offset += consumed; frames += 1; continue
            case .message(_, let consumed): offset += consumed; frames += 1; continue
            }
            break
        }
    }
    return 0
}
