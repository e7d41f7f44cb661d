import NIOCore
import SIPCore

/// A SIP transport protocol (RFC 3261 §18; TLS over TCP, §26 and RFC 5630).
public enum SIPTransportType: String, Sendable, Hashable, CaseIterable {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"

    /// Whether the transport itself retransmits (RFC 3261 §17: timers A, E, G are not used).
    public var isReliable: Bool { self != .udp }

    /// The value for a URI's `transport` parameter.
    public var uriParameter: String { rawValue.lowercased() }

    public init?(uriParameter: String) {
        switch uriParameter.lowercased() {
        case "udp": self = .udp
        case "tcp": self = .tcp
        case "tls": self = .tls
        default: return nil
        }
    }

    /// The port a URI without one means (RFC 3261 §19.1.2): 5061 for TLS, else 5060.
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }
}

/// Where to send a message: a socket address and the transport to use.
public struct SIPDestination: Sendable, Hashable, CustomStringConvertible {
    public var address: SocketAddress
    public var transport: SIPTransportType
    /// Over TLS, the host name the far end's certificate must name (RFC 5922 §7: the URI's
    /// domain, also sent as SNI); nil for an IP address, which is checked against the
    /// certificate's IP addresses instead.
    public var serverName: String?

    public init(address: SocketAddress, transport: SIPTransportType, serverName: String? = nil) {
        self.address = address
        self.transport = transport
        self.serverName = serverName
    }

    public var description: String { "\(transport.uriParameter):\(address)" }
}

/// A message received from the network, with where it came from.
public struct SIPInboundMessage: Sendable {
    public var message: SIPMessage
    public var source: SocketAddress
    public var transport: SIPTransportType
    /// The stream it arrived on (TCP): responses go back on it while it is open (§18.2.2).
    public var connection: Channel?

    public init(message: SIPMessage, source: SocketAddress, transport: SIPTransportType, connection: Channel?) {
        self.message = message
        self.source = source
        self.transport = transport
        self.connection = connection
    }
}

extension SocketAddress {
    /// The IP address as text (IPv6 without brackets), or "" for a Unix socket.
    var ipText: String { ipAddress ?? "" }

    /// The host as it appears in a Via sent-by or URI: IPv6 in brackets.
    public var sipHost: String {
        guard let ip = ipAddress else { return "" }
        if case .v6 = self { return "[\(ip)]" }
        return ip
    }
}
