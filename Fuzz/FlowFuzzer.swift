// libFuzzer target for the call-flow JSON of campaigns, single calls and inbound calls
// (Sources/DialerEngine/CallFlow.swift over JSONValue.swift), built by
// `FUZZ_TARGET=flow Fuzz/run.sh`.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - reading never crashes or hangs, whatever the nesting and values; a flow it refuses is an
//   `Invalid` naming the field;
// - any JSON it reads, written back as text, reads back equal.

@_cdecl("LLVMFuzzerTestOneInput")
public func flowFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let value = JSONValue(parsing: text) {
        precondition(JSONValue(parsing: value.text) == value, "JSON written back reads differently")
    }
    do throws(CallFlow.Invalid) {
        _ = try CallFlow(json: text)
    } catch {
        precondition(!error.field.isEmpty, "a refusal names no field")
    }
    return 0
}
