import Logging
import NIOCore
import SIPCore
import SIPTransport
import SIPUserAgent

/// The SIP side of the dialer: `serve`'s listeners, the transaction layer, the session
/// dispatcher (which routes in-dialog requests to the calls and refuses strangers) and the
/// RFC 3263 resolver, on one event loop.
public final class DialerSIPEndpoint: Sendable {
    public let transport: SIPTransportLayer
    public let transactions: SIPTransactionLayer
    public let dispatcher: SIPSessionDispatcher
    public let resolver: SIPTargetResolver
    /// The sockets listening, by transport.
    public let listeners: [(SIPTransportType, SocketAddress)]

    /// Binds the listeners of `configuration` (throws when one cannot bind). New dialogs
    /// from `allowedPeers` get 480: sipdial dials out and takes no inbound calls yet.
    public static func start(configuration: SIPTransportConfiguration, allowedPeers: SIPPeerAllowList,
                             eventLoop: EventLoop, logger: Logger) async throws -> DialerSIPEndpoint {
        let transport = SIPTransportLayer(eventLoop: eventLoop, configuration: configuration, logger: logger)
        try await transport.start()
        let transactions = SIPTransactionLayer(transport: transport, logger: logger)
        let dispatcher = SIPSessionDispatcher(transactions: transactions, allowedPeers: allowedPeers) {
            $0.respond(status: 480, reason: "No Inbound Calls")
        }
        let dns = DNSClient(nameServer: DNSClient.systemNameServer(), eventLoop: eventLoop)
        return DialerSIPEndpoint(transport: transport, transactions: transactions, dispatcher: dispatcher,
                                 resolver: SIPTargetResolver(dns: dns, eventLoop: eventLoop),
                                 listeners: try await transport.boundAddresses())
    }

    private init(transport: SIPTransportLayer, transactions: SIPTransactionLayer, dispatcher: SIPSessionDispatcher,
                 resolver: SIPTargetResolver, listeners: [(SIPTransportType, SocketAddress)]) {
        (self.transport, self.transactions, self.dispatcher, self.resolver, self.listeners) = (transport, transactions, dispatcher, resolver, listeners)
    }

    /// The address and port this side puts in Via, Contact and SDP for calls over `kind`
    /// toward `remote`: the listener's own address, or for a wildcard listener the address
    /// the kernel routes toward `remote`. Nil when no listener has that transport.
    public func localAddress(kind: SIPTransportType, toward remote: SocketAddress) -> (host: String, port: Int)? {
        guard let (_, bound) = listeners.first(where: { $0.0 == kind }), let port = bound.port, let ip = bound.ipAddress else { return nil }
        let wildcard = ip == "0.0.0.0" || ip == "::"
        let host = wildcard ? (LocalRoute.address(toward: remote.ipAddress ?? "127.0.0.1") ?? "127.0.0.1") : ip
        return (host, port)
    }

    public func shutdown() async {
        await transport.shutdown()
    }
}
