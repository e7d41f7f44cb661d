/// A header field name. Comparison is case-insensitive and compact forms map to their full
/// names (RFC 3261 §7.3.1, §7.3.3, §20). Unknown names keep the spelling they arrived with.
///
/// A known name is a one-byte index into a static table, so copying and comparing names
/// (once per header line of every message) costs no reference counting.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// 1-based index into `canonicalNames`, or 0 for an unknown name.
    let id: UInt8
    /// The spelling of an unknown name.
    let custom: String?

    init(id: UInt8) {
        self.id = id
        self.custom = nil
    }

    /// A header name from text; a known name or compact form becomes its canonical spelling.
    public init(_ text: String) {
        var t = text
        if let known = t.withUTF8({ SIPHeaderName.known(UnsafeRawBufferPointer($0)) }) {
            self = known
        } else {
            self.id = 0
            self.custom = text
        }
    }

    /// A name known not to be in the table, kept as spelled.
    init(unknown text: String) {
        self.id = 0
        self.custom = text
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// The spelling written on the wire: the canonical form for known headers.
    public var name: String { id != 0 ? String(decoding: SIPHeaderName.canonical(id), as: UTF8.self) : custom! }

    /// The lower-cased full name.
    public var key: String { name.lowercased() }

    public var description: String { name }

    public static func == (a: SIPHeaderName, b: SIPHeaderName) -> Bool {
        if a.id != 0 || b.id != 0 { return a.id == b.id }
        return a.custom!.caseInsensitiveEquals(b.custom!)
    }

    public func hash(into hasher: inout Hasher) {
        if id != 0 { hasher.combine(id) } else { hasher.combine(custom!.lowercased()) }
    }

    /// The known name spelled by `bytes` (any case, full or compact form), matched without
    /// allocating or touching global state; nil for other names.
    @inline(__always) static func known(_ bytes: UnsafeRawBufferPointer) -> SIPHeaderName? {
        let id = knownID(bytes)
        return id == 0 ? nil : SIPHeaderName(id: id)
    }

    /// Whether `b` equals the lower-case spelling at `k`, ignoring ASCII case in `b`. The
    /// spelling is `b.count` bytes long. Compares eight bytes at a time, the last word overlapping the one
    /// before it, so no name needs a byte-by-byte tail.
    @inline(__always) static func matches(_ b: UnsafeRawBufferPointer, _ k: UnsafeRawPointer) -> Bool {
        let n = b.count
        if n < 8 { return matchesShort(b, k) }
        var i = 0
        while true {
            let word = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            guard ByteScanning.lowercased(word) == k.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
            if i == n - 8 { return true }
            i = min(i + 8, n - 8)
        }
    }

    /// `matches` for names of two to seven bytes: two overlapping four- or two-byte words.
    @inline(__always) private static func matchesShort(_ b: UnsafeRawBufferPointer, _ k: UnsafeRawPointer) -> Bool {
        let n = b.count
        if n >= 4 {
            let x = UInt64(b.loadUnaligned(as: UInt32.self)) | UInt64(b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
            let y = UInt64(k.loadUnaligned(as: UInt32.self)) | UInt64(k.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
            return ByteScanning.lowercased(x) == y
        }
        var x: UInt64 = 0, y: UInt64 = 0
        for i in 0..<n {
            x |= UInt64(b[i]) << (8 * i)
            y |= UInt64(k.load(fromByteOffset: i, as: UInt8.self)) << (8 * i)
        }
        return ByteScanning.lowercased(x) == y
    }
}
