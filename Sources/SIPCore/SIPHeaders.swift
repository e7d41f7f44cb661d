/// One header line: a name and its value after LWS unfolding (RFC 3261 §7.3.1).
///
/// A parsed field keeps its value as a slice of the received bytes (shared with the other
/// fields of the message, no copy) and decodes it to a `String` only when `value` is read;
/// serializing an unchanged field copies those bytes straight out. `offset` is where the line
/// started in the parsed input (for error reports) and is not part of equality.
public struct SIPHeaderField: Sendable {
    public var name: SIPHeaderName
    private var storage: Storage
    public private(set) var offset: Int?

    private enum Storage: Sendable {
        case bytes(ArraySlice<UInt8>)
        case text(String)
    }

    public init(_ name: SIPHeaderName, _ value: String) {
        self.name = name
        self.storage = .text(value)
        self.offset = nil
    }

    /// A field whose value bytes are already unfolded, trimmed and valid UTF-8.
    init(_ name: SIPHeaderName, bytes: ArraySlice<UInt8>, offset: Int) {
        self.name = name
        self.storage = .bytes(bytes)
        self.offset = offset
    }

    public var value: String {
        get {
            switch storage {
            case .bytes(let b): String(decoding: b, as: UTF8.self)
            case .text(let s): s
            }
        }
        set { storage = .text(newValue) }
    }

    /// Writes the value's bytes.
    @inline(__always) func writeValue(into w: inout ByteWriter) {
        switch storage {
        case .bytes(let b): b.withUnsafeBytes { w.write($0) }
        case .text(let s): w.write(s)
        }
    }

    var valueByteCount: Int {
        switch storage {
        case .bytes(let b): b.count
        case .text(let s): s.utf8.count
        }
    }

    func valueEquals(_ other: SIPHeaderField) -> Bool {
        switch (storage, other.storage) {
        case (.bytes(let a), .bytes(let b)): a.elementsEqual(b)
        case (.text(let a), .text(let b)): a == b
        case (.bytes(let a), .text(let b)), (.text(let b), .bytes(let a)): a.elementsEqual(b.utf8)
        }
    }
}

extension SIPHeaderField: Equatable {
    public static func == (a: SIPHeaderField, b: SIPHeaderField) -> Bool {
        a.name == b.name && a.valueEquals(b)
    }
}

extension Array where Element == UInt8 {
    /// Appends a string's UTF-8 bytes with one copy (native strings are contiguous).
    @inline(__always) mutating func appendUTF8(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
}

/// The header fields of a message, in the order they arrived or were added. Repeated fields
/// and unknown fields are preserved; lookups are case-insensitive and accept compact forms.
public struct SIPHeaders: Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public private(set) var fields: [SIPHeaderField]

    public init() {
        fields = []
    }

    public init(_ fields: [SIPHeaderField]) {
        self.fields = fields
    }

    public init(arrayLiteral elements: (SIPHeaderName, String)...) {
        self.init(elements.map { SIPHeaderField($0.0, $0.1) })
    }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> SIPHeaderField { fields[position] }

    /// The byte offset in the parsed input of the `index`th field, when known.
    public func offset(ofField index: Int) -> Int? {
        index < fields.count ? fields[index].offset : nil
    }

    /// The value of the first field with this name.
    public subscript(name: SIPHeaderName) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Every field value with this name, in order, without comma splitting.
    public func values(_ name: SIPHeaderName) -> [String] {
        fields.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Every list element of this header: repeated fields joined and each field split at
    /// top-level commas (RFC 3261 §7.3.1). Only for headers whose grammar is a list.
    public func listValues(_ name: SIPHeaderName) -> [String] {
        var out: [String] = []
        for f in fields where f.name == name {
            for part in splitSIPList(f.value) {
                let trimmed = part.trimmingSIPWhitespace()
                if !trimmed.isEmpty { out.append(String(trimmed)) }
            }
        }
        return out
    }

    public func contains(_ name: SIPHeaderName) -> Bool {
        fields.contains { $0.name == name }
    }

    /// Number of fields with this name.
    public func count(_ name: SIPHeaderName) -> Int {
        fields.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }

    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        fields.append(SIPHeaderField(name, value))
    }

    /// Inserts a field before all others with the same name, or at the top if there is none
    /// (how a Via or Record-Route is pushed, RFC 3261 §16.6).
    public mutating func prepend(_ name: SIPHeaderName, _ value: String) {
        let i = fields.firstIndex { $0.name == name } ?? 0
        fields.insert(SIPHeaderField(name, value), at: i)
    }

    /// Replaces every field with this name by one field with `value`, kept at the position of
    /// the first one (or appended).
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        if let i = fields.firstIndex(where: { $0.name == name }) {
            fields[i].value = value
            var j = fields.count - 1
            while j > i {
                if fields[j].name == name { fields.remove(at: j) }
                j -= 1
            }
        } else {
            fields.append(SIPHeaderField(name, value))
        }
    }

    /// Replaces the value of the field at `index`.
    public mutating func setValue(_ value: String, at index: Int) {
        fields[index].value = value
    }

    /// Removes every field with this name.
    public mutating func remove(_ name: SIPHeaderName) {
        fields.removeAll { $0.name == name }
    }

    /// Removes the first field with this name (how a proxy pops its Via, RFC 3261 §16.7).
    public mutating func removeFirst(_ name: SIPHeaderName) {
        if let i = fields.firstIndex(where: { $0.name == name }) { fields.remove(at: i) }
    }
}
