// libFuzzer target for the DNS answers sipdial reads while resolving SIP targets (RFC 3263):
// Sources/SIPTransport/DNSMessage.swift, built alone by `FUZZ_TARGET=dns Fuzz/run.sh`.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - decoding a response never crashes, overflows or hangs, whatever the bytes (compression
//   pointers that loop, counts that lie, lengths past the end);
// - a query for a name read from an answer decodes as a response with no answers.

@_cdecl("LLVMFuzzerTestOneInput")
public func dnsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let id = bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : 0
    guard let answers = try? DNSMessage.decodeAnswers(bytes, id: id) else { return 0 }
    for case .srv(let record) in answers {
        let query = DNSMessage.query(id: 7, name: record.target, type: .a)
        precondition((try? DNSMessage.decodeAnswers(query, id: 7)) == [], "a query of an answer's name does not read back")
    }
    return 0
}
