// libFuzzer target for the CSV reader of contact imports (Sources/DialerAPI/CSVTable.swift),
// built by `FUZZ_TARGET=csv Fuzz/run.sh`.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - reading never crashes or hangs; an open quote at the end is the one error;
// - rows keep the line they start on, in order;
// - the rows written back with every field quoted (RFC 4180 §2) read back the same.

@_cdecl("LLVMFuzzerTestOneInput")
public func csvFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let table = try? CSVTable(parsing: text) else { return 0 }
    var previous = 0
    for row in table.rows {
        precondition(row.line > previous, "rows out of line order")
        previous = row.line
    }
    // Quotes doubled scalar by scalar: a quote may share a grapheme with a combining mark.
    func quoted(_ field: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in field.unicodeScalars {
            if scalar == "\"" { out.append(scalar) }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }
    let written = table.rows.map { $0.fields.map(quoted).joined(separator: ",") }.joined(separator: "\r\n")
    let again = try? CSVTable(parsing: written)
    precondition(again?.rows.map { $0.fields } == table.rows.map { $0.fields }, "rows written back read differently")
    return 0
}
