/// One header line: a name and its value after LWS unfolding (RFC 3261 §7.3.1).
public struct SIPHeaderField: Sendable, Equatable {
    public var name: SIPHeaderName
    public var value: String

    public init(_ name: SIPHeaderName, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The header fields of a message, in the order they arrived or were added. Repeated fields
/// and unknown fields are preserved; lookups are case-insensitive and accept compact forms.
///
/// `offsets` remembers, for a parsed message, where each field's line starts in the input so
/// that errors can name a byte offset; it is not part of equality.
public struct SIPHeaders: Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public private(set) var fields: [SIPHeaderField]
    var offsets: [Int]

    public init() {
        fields = []
        offsets = []
    }

    public init(_ fields: [SIPHeaderField]) {
        self.fields = fields
        self.offsets = []
    }

    public init(arrayLiteral elements: (SIPHeaderName, String)...) {
        self.init(elements.map { SIPHeaderField($0.0, $0.1) })
    }

    init(parsed fields: [SIPHeaderField], offsets: [Int]) {
        self.fields = fields
        self.offsets = offsets
    }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> SIPHeaderField { fields[position] }

    /// The byte offset in the parsed input of the `index`th field, when known.
    public func offset(ofField index: Int) -> Int? {
        index < offsets.count ? offsets[index] : nil
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
        offsets.removeAll()
    }

    /// Inserts a field before all others with the same name, or at the top if there is none
    /// (how a Via or Record-Route is pushed, RFC 3261 §16.6).
    public mutating func prepend(_ name: SIPHeaderName, _ value: String) {
        let i = fields.firstIndex { $0.name == name } ?? 0
        fields.insert(SIPHeaderField(name, value), at: i)
        offsets.removeAll()
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
        offsets.removeAll()
    }

    /// Removes every field with this name.
    public mutating func remove(_ name: SIPHeaderName) {
        fields.removeAll { $0.name == name }
        offsets.removeAll()
    }

    /// Removes the first field with this name (how a proxy pops its Via, RFC 3261 §16.7).
    public mutating func removeFirst(_ name: SIPHeaderName) {
        if let i = fields.firstIndex(where: { $0.name == name }) { fields.remove(at: i) }
        offsets.removeAll()
    }
}

extension SIPHeaders: Equatable {
    public static func == (a: SIPHeaders, b: SIPHeaders) -> Bool { a.fields == b.fields }
}
