/// One header line: a name and its value after LWS unfolding (RFC 3261 §7.3.1).
///
/// A field read from a parsed message keeps its value as a slice of the received bytes and
/// decodes it to a `String` only when `value` is read. `offset` is where the line started in
/// the parsed input (for error reports) and is not part of equality.
public struct SIPHeaderField: Sendable {
    public var name: SIPHeaderName
    private var storage: Storage
    public private(set) var offset: Int?

    private enum Storage: Sendable {
        case bytes(ArraySlice<UInt8>)
        case text(String)
    }

    public init(_ name: SIPHeaderName, _ value: String) {
        self.init(name, value, offset: nil)
    }

    init(_ name: SIPHeaderName, _ value: String, offset: Int?) {
        self.name = name
        self.storage = .text(value)
        self.offset = offset
    }

    /// A field whose value bytes are already unfolded, trimmed and valid UTF-8.
    init(_ name: SIPHeaderName, bytes: ArraySlice<UInt8>, offset: Int?) {
        self.name = name
        self.storage = .bytes(bytes)
        self.offset = offset
    }

    /// The value's bytes, without making a `String` of them.
    var valueBytes: [UInt8] {
        switch storage {
        case .bytes(let b): Array(b)
        case .text(let s): Array(s.utf8)
        }
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
}

extension SIPHeaderField: Equatable {
    public static func == (a: SIPHeaderField, b: SIPHeaderField) -> Bool {
        guard a.name == b.name else { return false }
        switch (a.storage, b.storage) {
        case (.bytes(let x), .bytes(let y)): return x.elementsEqual(y)
        case (.text(let x), .text(let y)): return x == y
        case (.bytes(let x), .text(let y)), (.text(let y), .bytes(let x)): return x.elementsEqual(y.utf8)
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends a string's UTF-8 bytes with one copy (native strings are contiguous).
    @inline(__always) mutating func appendUTF8(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
}
