#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The peers allowed to open dialogs with sipdial: addresses and CIDR ranges (IPv4 and IPv6).
/// A dialog-creating request from anywhere else is refused with 403 before anything routes
/// it: the first defence against toll fraud through an open SIP port.
public struct SIPPeerAllowList: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefix: Int
    }

    private var ranges: [Range]
    /// The entries as given, for logs and docs.
    public let entries: [String]

    /// Loopback only (127.0.0.0/8 and ::1): sipdial's default until peers are configured.
    public static let loopback = SIPPeerAllowList(validated: ["127.0.0.0/8", "::1"])

    /// Parses `ADDRESS` or `ADDRESS/PREFIX` entries; the error names the first bad one.
    public init(_ entries: [String]) throws(SIPPeerAllowListError) {
        var ranges: [Range] = []
        for entry in entries {
            guard let range = Self.parse(entry) else { throw SIPPeerAllowListError(entry: entry) }
            ranges.append(range)
        }
        self.ranges = ranges
        self.entries = entries
    }

    private init(validated entries: [String]) {
        self.entries = entries
        self.ranges = entries.compactMap(Self.parse)
    }

    /// The reason phrase of the 403 a refused peer gets.
    public static let refusal = "Forbidden (not a configured peer)"

    public func allows(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress, let bytes = Self.bytes(ip) else { return false }
        return ranges.contains { range in
            guard range.bytes.count == bytes.count else { return false }
            var remaining = range.prefix
            for (a, b) in zip(range.bytes, bytes) where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    private static func parse(_ entry: String) -> Range? {
        let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let bytes = bytes(first) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { return nil }
        return Range(bytes: bytes, prefix: prefix)
    }

    /// The 4 or 16 bytes of a textual IPv4 or IPv6 address.
    private static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

public struct SIPPeerAllowListError: Error, Equatable, CustomStringConvertible {
    public let entry: String
    public init(entry: String) { self.entry = entry }
    public var description: String { "'\(entry)' is not an IP address or ADDRESS/PREFIX range" }
}
