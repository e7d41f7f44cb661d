/// One `;name=value` (or `?name=value`) parameter. `value` is nil for a flag parameter such
/// as `;lr` or `;rport`. Names and values are kept as received (RFC 3261 §19.1.1, §20).
public struct SIPParameter: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == SIPParameter {
    /// The value of the first parameter whose name matches case-insensitively (RFC 3261 §7.3.1).
    /// Returns `.some(nil)` for a present flag parameter and `nil` when the parameter is absent.
    public subscript(parameter name: String) -> String?? {
        for p in self where p.name.caseInsensitiveEquals(name) { return .some(p.value) }
        return nil
    }

    /// Whether a parameter with this name is present, with or without a value.
    public func contains(parameter name: String) -> Bool {
        contains { $0.name.caseInsensitiveEquals(name) }
    }

    /// Sets (replaces or appends) a parameter.
    public mutating func set(_ name: String, _ value: String?) {
        if let i = firstIndex(where: { $0.name.caseInsensitiveEquals(name) }) {
            self[i].value = value
        } else {
            append(SIPParameter(name, value))
        }
    }

    /// Removes every parameter with this name.
    public mutating func remove(parameter name: String) {
        removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// Writes the list as `;a=b;c` (or with another separator for URI headers).
    func serialized(leading: String = ";", separator: String = ";") -> String {
        var out = ""
        for (i, p) in enumerated() {
            out += i == 0 ? leading : separator
            out += p.name
            if let v = p.value { out += "="; out += v }
        }
        return out
    }
}

extension StringProtocol {
    /// ASCII case-insensitive comparison, as SIP uses for names, tokens and hosts.
    public func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard asciiLower(x) == asciiLower(y) else { return false }
        }
        return true
    }
}

@inline(__always) func asciiLower(_ b: UInt8) -> UInt8 {
    (b >= 65 && b <= 90) ? b | 0x20 : b
}
