import NIOCore
import SIPCore

/// Addresses, limits and timeouts of the transport layer. Every default is documented here
/// and in docs/CONFIGURATION.md.
public struct SIPTransportConfiguration: Sendable {
    /// One listening socket.
    public struct Listener: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var transport: SIPTransportType

        public init(host: String, port: Int, transport: SIPTransportType) {
            self.host = host
            self.port = port
            self.transport = transport
        }
    }

    /// Sockets to listen on. Port 0 picks a free port (read it back from `boundAddresses`).
    public var listeners: [Listener] = [
        Listener(host: "0.0.0.0", port: 5060, transport: .udp),
        Listener(host: "0.0.0.0", port: 5060, transport: .tcp),
    ]
    /// Parser limits for datagrams and streams.
    public var limits: SIPParserLimits = .default
    /// A TCP connection with no traffic for this long is closed (RFC 3261 §18 leaves it to
    /// the implementation; 64*T1 plus margin keeps it past every transaction).
    public var tcpIdleTimeout: Duration = .seconds(60)
    /// How long an outbound TCP connect may take before the target counts as failed.
    public var tcpConnectTimeout: Duration = .seconds(5)
    /// The UDP sockets' receive buffer (SO_RCVBUF; the kernel caps it at net.core.rmem_max).
    /// The default 208 KiB holds about 400 SIP messages: at a thousand calls a second a
    /// 50 ms pause of the signaling loop overflowed it and the datagrams lost became
    /// retransmissions, then timeouts.
    public var udpReceiveBufferBytes = 4 << 20
    /// Datagrams read per wake-up of the UDP socket.
    public var udpMessagesPerRead = 16
    /// Datagrams that may wait for room in a UDP socket's send buffer; past that a send fails
    /// (`SIPTransportError.sendQueueFull`) and the transaction retransmits or fails over.
    public var udpSendQueueLimit = 16_384
    /// Certificates and trust for SIP over TLS (`tls:` listeners, `transport=tls` targets).
    public var tls = SIPTLSSettings()
    /// A stream transport with no listener, for a client without a certificate of its own:
    /// its outbound connections all leave from `address` (SO_REUSEADDR), which Contact and
    /// Via name, so a far end that sends requests there finds the connection sipdial opened
    /// (RFC 3261 §18.2.2, RFC 5923 connection reuse). `boundAddresses` lists it.
    public struct ConnectOnly: Sendable {
        public var transport: SIPTransportType
        public var address: SocketAddress

        public init(transport: SIPTransportType, address: SocketAddress) {
            (self.transport, self.address) = (transport, address)
        }
    }

    public var connectOnly: ConnectOnly?
    /// Where every message sent and received is also written (`--sip-trace`); nil for none.
    public var trace: SIPTraceFile?
    /// Per-source admission of requests (scanners, floods); nil admits every request. The
    /// endpoint that installs it says which sources are exempt (`SIPTransactionLayer.guardSources`).
    public var sourceGuard: SourceGuard.Settings?

    public init() {}
}
