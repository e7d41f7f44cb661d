/// The header fields of a message, in the order they arrived or were added. Repeated fields
/// and unknown fields are preserved; lookups are case-insensitive and accept compact forms.
///
/// Storage is an index into one buffer: a parsed message's fields are entries of plain
/// integers pointing into the received bytes (`source`), so parsing, copying and dropping a
/// message touches no per-field reference counts. Values set in code, unfolded values and
/// the spellings of unknown names live in `texts`.
///
/// A received field that was not changed is written back exactly as it arrived (its whole
/// line, compact name and spacing included, as RFC 3261 §7.3.1 allows), and runs of such
/// lines are copied in one piece; other fields are written as `Canonical-Name: value`.
public struct SIPHeaders: Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// The received message that parsed values point into; empty for headers built in code.
    private var source: [UInt8]
    /// Values that are not slices of `source`, and the spellings of unknown names.
    private var texts: [String]
    private var entries: [Entry]

    /// One field: its name and where its value is. Plain integers only.
    struct Entry: BitwiseCopyable {
        /// `SIPHeaderName.id`; 0 for an unknown name spelled by `texts[nameText]`.
        var nameID: UInt8
        var valueIsText: Bool
        var nameText: Int32
        /// The value's offset in `source`, or its index in `texts`.
        var start: Int32
        /// The value's length in `source` (unused for a text value).
        var count: Int32
        /// Where the line started in the parsed input; -1 for a field added in code.
        var offset: Int32
        /// Where the next line starts, when this one is copied as received (a single line
        /// ending in CRLF whose value is unchanged); 0 otherwise.
        var lineEnd: Int32

        /// The received line, `source[offset..<lineEnd]`, can be copied as it is.
        var copiesLine: Bool { lineEnd > 0 && !valueIsText }
    }

    public init() {
        source = []
        texts = []
        entries = []
    }

    public init(_ fields: [SIPHeaderField]) {
        self.init()
        for f in fields { append(f.name, f.value, offset: f.offset) }
    }

    public init(arrayLiteral elements: (SIPHeaderName, String)...) {
        self.init()
        for (name, value) in elements { append(name, value) }
    }

    /// Headers whose values will be ranges of `source` (the parser's buffer).
    init(source: [UInt8], capacity: Int) {
        self.source = source
        texts = []
        entries = []
        entries.reserveCapacity(capacity)
    }

    // MARK: Collection

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    public subscript(position: Int) -> SIPHeaderField {
        let e = entries[position]
        let offset = e.offset < 0 ? nil : Int(e.offset)
        if e.valueIsText { return SIPHeaderField(name(of: e), texts[Int(e.start)], offset: offset) }
        return SIPHeaderField(name(of: e), bytes: source[Int(e.start)..<Int(e.start + e.count)], offset: offset)
    }

    /// The byte offset in the parsed input of the `index`th field, when known.
    public func offset(ofField index: Int) -> Int? {
        index < entries.count && entries[index].offset >= 0 ? Int(entries[index].offset) : nil
    }

    // MARK: Reading

    /// The value of the first field with this name.
    public subscript(name: SIPHeaderName) -> String? {
        guard let i = firstIndex(of: name) else { return nil }
        return value(of: entries[i])
    }

    /// Every field value with this name, in order, without comma splitting.
    public func values(_ name: SIPHeaderName) -> [String] {
        entries.compactMap { matches($0, name) ? value(of: $0) : nil }
    }

    /// Every list element of this header: repeated fields joined and each field split at
    /// top-level commas (RFC 3261 §7.3.1). Only for headers whose grammar is a list.
    public func listValues(_ name: SIPHeaderName) -> [String] {
        var out: [String] = []
        for e in entries where matches(e, name) {
            for part in splitSIPList(value(of: e)) {
                let trimmed = part.trimmingSIPWhitespace()
                if !trimmed.isEmpty { out.append(String(trimmed)) }
            }
        }
        return out
    }

    public func contains(_ name: SIPHeaderName) -> Bool {
        firstIndex(of: name) != nil
    }

    /// Number of fields with this name.
    public func count(_ name: SIPHeaderName) -> Int {
        entries.reduce(0) { $0 + (matches($1, name) ? 1 : 0) }
    }

    // MARK: Changing

    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        append(name, value, offset: nil)
    }

    /// Replaces every field with this name by one field with `value`, kept at the position of
    /// the first one (or appended).
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        guard let i = firstIndex(of: name) else { return append(name, value) }
        setValue(value, at: i)
        var j = entries.count - 1
        while j > i {
            if matches(entries[j], name) { entries.remove(at: j) }
            j -= 1
        }
    }

    /// Replaces the value of the field at `index`.
    public mutating func setValue(_ value: String, at index: Int) {
        if entries[index].valueIsText {
            texts[Int(entries[index].start)] = value
        } else {
            texts.append(value)
            entries[index].valueIsText = true
            entries[index].start = Int32(texts.count - 1)
        }
    }

    /// Removes every field with this name.
    public mutating func remove(_ name: SIPHeaderName) {
        let keep = entries.filter { !matches($0, name) }
        entries = keep
    }

    /// Removes the first field with this name (how a proxy pops its Via, RFC 3261 §16.7).
    public mutating func removeFirst(_ name: SIPHeaderName) {
        if let i = firstIndex(of: name) { entries.remove(at: i) }
    }

    // MARK: Parser and serializer

    /// Adds a field whose value is `source[start..<start+count]` (already trimmed, valid
    /// UTF-8); `lineEnd` is where the next line starts when the line ends in CRLF, else 0.
    mutating func appendParsed(_ name: SIPHeaderName, start: Int, count: Int, offset: Int, lineEnd: Int) {
        appendParsed(id: name.id, nameText: name.id == 0 ? nameText(name) : -1, start: start, count: count, offset: offset, lineEnd: lineEnd)
    }

    /// `appendParsed` for a known name, given by its id (`nameText` only for an unknown one).
    @inline(__always) mutating func appendParsed(id: UInt8, nameText: Int32 = -1, start: Int, count: Int, offset: Int, lineEnd: Int) {
        entries.append(Entry(nameID: id, valueIsText: false, nameText: nameText,
                             start: Int32(start), count: Int32(count), offset: Int32(offset), lineEnd: Int32(lineEnd)))
    }

    /// Size of the header block on the wire: name ": " value CRLF per field, and the empty line.
    var wireByteCount: Int {
        var n = 2
        for e in entries {
            if e.copiesLine {
                n += Int(e.lineEnd - e.offset)
                continue
            }
            n += (e.nameID == 0 ? texts[Int(e.nameText)].utf8.count : SIPHeaderName.canonical(e.nameID).count) + 4
            n += e.valueIsText ? texts[Int(e.start)].utf8.count : Int(e.count)
        }
        return n
    }

    /// Writes the header block, ending with the empty line.
    func write(into w: inout ByteWriter) {
        source.withUnsafeBytes { src in
            var k = 0
            while k < entries.count {
                let e = entries[k]
                k += 1
                if e.copiesLine {
                    var end = e.lineEnd
                    while k < entries.count, entries[k].copiesLine, entries[k].offset == end {
                        end = entries[k].lineEnd
                        k += 1
                    }
                    w.write(UnsafeRawBufferPointer(rebasing: src[Int(e.offset)..<Int(end)]))
                    continue
                }
                if e.nameID == 0 { w.write(texts[Int(e.nameText)]) } else { w.write(SIPHeaderName.canonical(e.nameID)) }
                w.byte(0x3A)
                w.byte(0x20)
                if e.valueIsText {
                    w.write(texts[Int(e.start)])
                } else {
                    w.write(UnsafeRawBufferPointer(rebasing: src[Int(e.start)..<Int(e.start + e.count)]))
                }
                w.byte(0x0D)
                w.byte(0x0A)
            }
        }
        w.byte(0x0D)
        w.byte(0x0A)
    }

    // MARK: Private

    /// Adds a field whose value is text: set in code, or a parsed value that had to be
    /// rewritten (unfolded), with its line's offset.
    mutating func append(_ name: SIPHeaderName, _ value: String, offset: Int?) {
        let entry = textEntry(name, value, offset: offset)
        entries.append(entry)
    }

    private mutating func textEntry(_ name: SIPHeaderName, _ value: String, offset: Int?) -> Entry {
        let nameIndex = nameText(name)
        texts.append(value)
        return Entry(nameID: name.id, valueIsText: true, nameText: nameIndex,
                     start: Int32(texts.count - 1), count: 0, offset: Int32(offset ?? -1), lineEnd: 0)
    }

    /// Stores an unknown name's spelling; -1 for a known name.
    private mutating func nameText(_ name: SIPHeaderName) -> Int32 {
        guard name.id == 0 else { return -1 }
        texts.append(name.name)
        return Int32(texts.count - 1)
    }

    private func name(of e: Entry) -> SIPHeaderName {
        e.nameID != 0 ? SIPHeaderName(id: e.nameID) : SIPHeaderName(unknown: texts[Int(e.nameText)])
    }

    @inline(__always) private func matches(_ e: Entry, _ name: SIPHeaderName) -> Bool {
        if name.id != 0 || e.nameID != 0 { return e.nameID == name.id }
        return texts[Int(e.nameText)].caseInsensitiveEquals(name.name)
    }

    private func firstIndex(of name: SIPHeaderName) -> Int? {
        entries.firstIndex { matches($0, name) }
    }

    private func value(of e: Entry) -> String {
        if e.valueIsText { return texts[Int(e.start)] }
        return source.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(e.start)..<Int(e.start + e.count)]), as: UTF8.self)
        }
    }
}

extension SIPHeaders: Equatable {
    /// Same names (case-insensitively) and same value bytes, in the same order.
    public static func == (a: SIPHeaders, b: SIPHeaders) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }
}
