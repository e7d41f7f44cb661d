import NIOCore

/// Why no SIP peer can be at an address. A response goes where the request's top Via says
/// (RFC 3261 §18.2.2), and a Via says whatever its sender wrote: port 0, a broadcast or
/// multicast group, 0.0.0.0. Such a destination is refused before the kernel sees it, so the
/// message is dropped and counted instead of sent. sipdial does not send SIP to multicast
/// groups (§18.2.2's `maddr` case): it is an outbound dialer talking to trunks.
public enum UnusableDestination: String, Sendable, Hashable, CustomStringConvertible {
    case portZero = "port 0"
    case unspecifiedAddress = "unspecified address"
    case broadcastAddress = "broadcast address"
    case multicastAddress = "multicast address"
    case notAnIPAddress = "not an IP address"

    /// Why `address` cannot be a peer, or nil when it can.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(port: address.port, ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address it carries.
                let ipv4 = bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                self.init(port: address.port, ipv4: ipv4)
            } else if address.port == 0 {
                self = .portZero
            } else if bytes.allSatisfy({ $0 == 0 }) {
                self = .unspecifiedAddress
            } else if bytes[0] == 0xFF {
                self = .multicastAddress
            } else {
                return nil
            }
        case .unixDomainSocket:
            self = .notAnIPAddress
        }
    }

    private init?(port: Int?, ipv4: UInt32) {
        if port == 0 {
            self = .portZero
        } else if ipv4 == 0 {
            self = .unspecifiedAddress
        } else if ipv4 == 0xFFFF_FFFF {
            self = .broadcastAddress
        } else if ipv4 >> 28 == 0xE {
            self = .multicastAddress
        } else {
            return nil
        }
    }

    public var description: String { rawValue }
}
