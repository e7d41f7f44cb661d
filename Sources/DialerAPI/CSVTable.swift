/// Comma-separated values as RFC 4180 writes them: fields in double quotes may hold commas,
/// line breaks and doubled quotes; lines end in CRLF or LF. Each row keeps the line number
/// it starts on, so import errors can point at the line a person sees in their editor.
struct CSVTable {
    struct Row {
        var line: Int
        var fields: [String]
    }

    var rows: [Row] = []

    /// A quote left open at the end of the text.
    struct UnterminatedQuote: Error {
        var line: Int
    }

    init(parsing text: String) throws {
        var field = "", fields: [String] = []
        var quoted = false, afterQuote = false
        var line = 1, rowStart = 1
        var chars = Array(text.unicodeScalars)[...]
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
            field = ""
            fields = []
        }
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append(c) } else { quoted = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: quoted = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r" where chars.first == "\n": continue
            case "\n":
                endRow()
                afterQuote = false
                line += 1
                rowStart = line
            default: field.unicodeScalars.append(c)
            }
        }
        if quoted { throw UnterminatedQuote(line: rowStart) }
        if !field.isEmpty || !fields.isEmpty { endRow() }
    }
}
