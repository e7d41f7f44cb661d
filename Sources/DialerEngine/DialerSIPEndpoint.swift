import Logging
import NIOCore
import SIPCore
import SIPTransport
import SIPUserAgent
import Synchronization

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
    /// The configured trunks' addresses (kept by `TrunkMonitor`): peers like `--allow-peer`'s.
    public let trunkAddresses: TrunkAddresses

    /// Binds the listeners of `configuration` (throws when one cannot bind). New dialogs
    /// from `allowedPeers` or a configured trunk go to the handler `answerInbound` sets, or
    /// get 480 without one; from anyone else 403. The configuration's `sourceGuard` drops
    /// scanners and floods from everyone else before that.
    public static func start(configuration: SIPTransportConfiguration, allowedPeers: SIPPeerAllowList,
                             eventLoop: EventLoop, logger: Logger) async throws -> DialerSIPEndpoint {
        let transport = SIPTransportLayer(eventLoop: eventLoop, configuration: configuration, logger: logger)
        try await transport.start()
        let transactions = SIPTransactionLayer(transport: transport, logger: logger)
        let trunkAddresses = TrunkAddresses()
        if let settings = configuration.sourceGuard {
            transactions.guardSources(settings) { allowedPeers.allows($0) || trunkAddresses.contains($0) }
        }
        let inbound = InboundHandler()
        let dispatcher = SIPSessionDispatcher(transactions: transactions, allowedPeers: allowedPeers, isTrunk: trunkAddresses.contains) { tx in
            guard let handler = inbound.current, tx.request.method == .invite else {
                return tx.respond(status: 480, reason: "No Inbound Calls")
            }
            handler(tx)
        }
        let dns = DNSClient(nameServer: DNSClient.systemNameServer(), eventLoop: eventLoop)
        return DialerSIPEndpoint(transport: transport, transactions: transactions, dispatcher: dispatcher,
                                 resolver: SIPTargetResolver(dns: dns, eventLoop: eventLoop),
                                 listeners: try await transport.boundAddresses(), trunkAddresses: trunkAddresses, inbound: inbound)
    }

    private let inbound: InboundHandler

    /// Where INVITEs that open a dialog from an allowed peer go from now on.
    public func answerInbound(with handler: @escaping @Sendable (SIPServerTransaction) -> Void) {
        inbound.current = handler
    }

    private init(transport: SIPTransportLayer, transactions: SIPTransactionLayer, dispatcher: SIPSessionDispatcher,
                 resolver: SIPTargetResolver, listeners: [(SIPTransportType, SocketAddress)], trunkAddresses: TrunkAddresses,
                 inbound: InboundHandler) {
        (self.transport, self.transactions, self.dispatcher, self.resolver, self.listeners) = (transport, transactions, dispatcher, resolver, listeners)
        self.trunkAddresses = trunkAddresses
        self.inbound = inbound
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

/// Where new dialogs from allowed peers go, set once serving starts.
final class InboundHandler: Sendable {
    private let handler = Mutex<(@Sendable (SIPServerTransaction) -> Void)?>(nil)

    var current: (@Sendable (SIPServerTransaction) -> Void)? {
        get { handler.withLock { $0 } }
        set { handler.withLock { $0 = newValue } }
    }
}

/// The IP addresses the configured trunks resolve to, replaced at each look at the trunks.
public final class TrunkAddresses: Sendable {
    private let addresses = Mutex<Set<String>>([])

    public init() {}

    func replace(with new: Set<String>) {
        addresses.withLock { $0 = new }
    }

    public func contains(_ source: SocketAddress) -> Bool {
        guard let ip = source.ipAddress else { return false }
        return addresses.withLock { $0.contains(ip) }
    }
}
