import CDatagram
import Glibc
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore

/// The SIP transport layer (RFC 3261 §18) on SwiftNIO: UDP, TCP and TLS listeners, outbound
/// TCP and TLS connections reused per remote address and closed when idle, and response routing.
///
/// All channels live on one event loop, `eventLoop`, which is also where received messages
/// are delivered, so the layers above can keep their state on that loop without locks.
public final class SIPTransportLayer: @unchecked Sendable {
    public let eventLoop: EventLoop
    public let configuration: SIPTransportConfiguration
    public let statistics = SIPTransportStatistics()
    public let logger: Logger
    private let validator: SIPMessageValidator

    /// A bound listener; a UDP one sends through its outbox, not through the channel.
    private struct BoundListener {
        var transport: SIPTransportType
        var channel: Channel
        var outbox: SIPDatagramOutbox?
    }

    // Loop-bound state: touched only on `eventLoop`.
    private var listeners: [BoundListener] = []
    private var connections: [SocketAddress: Channel] = [:]
    private var pendingConnects: [SocketAddress: EventLoopFuture<Channel>] = [:]
    private var receiver: (@Sendable (SIPInboundMessage) -> Void)?
    private var connectionClosed: (@Sendable (SocketAddress, SIPTransportType) -> Void)?
    private var refusalLog = LogRateLimiter(interval: .seconds(10))
    /// Made once, at `start()`, when a listener or a send needs them.
    private var tlsServer: NIOSSLContext?
    private var tlsClient: NIOSSLContext?

    public init(eventLoop: EventLoop, configuration: SIPTransportConfiguration, validator: SIPMessageValidator = SIPMessageValidator(), logger: Logger = Logger(label: "sipdial.transport")) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.validator = validator
        self.logger = logger
    }

    /// Sets where received messages go; call before `start()`. Called on `eventLoop`.
    public func onReceive(_ receiver: @escaping @Sendable (SIPInboundMessage) -> Void) {
        self.receiver = receiver
    }

    /// Sets what hears of a TCP or TLS connection closing (by either side, or its handshake
    /// failing), with the far end's address; call before `start()`. Called on `eventLoop`.
    public func onConnectionClosed(_ handler: @escaping @Sendable (SocketAddress, SIPTransportType) -> Void) {
        connectionClosed = handler
    }

    private var sink: SIPInboundSink {
        SIPInboundSink(statistics: statistics, validator: validator) { [weak self] message in
            self?.received(message)
        }
    }

    private func received(_ message: SIPInboundMessage) {
        if let trace = configuration.trace {
            let local = message.connection?.localAddress ?? localAddress(for: message.transport, family: message.source)
            if let local { trace.record(message.message.bytes, from: message.source, to: local) }
        }
        if let connection = message.connection, message.transport.isReliable {
            // Remember inbound streams so requests to that peer reuse them (RFC 3261 §18).
            connections[message.source] = connection
        }
        receiver?(message)
    }

    /// Binds every configured listener; a TLS listener's certificate that cannot be read
    /// throws (`SIPTLSError`) before anything binds.
    public func start() async throws {
        let server = configuration.listeners.contains { $0.transport == .tls } ? try configuration.tls.serverContext() : nil
        let client = try configuration.tls.clientContext()
        try await eventLoop.submit { (self.tlsServer, self.tlsClient) = (server, client) }.get()
        for listener in configuration.listeners {
            let bound: BoundListener
            switch listener.transport {
            case .udp:
                bound = try await bindDatagramListener(host: listener.host, port: listener.port)
            case .tcp, .tls:
                let tls = listener.transport == .tls ? server : nil
                let channel = try await ServerBootstrap(group: eventLoop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { [self] channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                            try self.addStreamHandlers(to: channel, transport: listener.transport)
                        }
                    }
                    .bind(host: listener.host, port: listener.port).get()
                bound = BoundListener(transport: listener.transport, channel: channel, outbox: nil)
            }
            try await eventLoop.submit { self.listeners.append(bound) }.get()
            logger.info("listening", metadata: ["transport": "\(listener.transport.rawValue)", "address": "\(bound.channel.localAddress.map { "\($0)" } ?? "?")"])
        }
    }

    /// A UDP listener: the socket is bound here so that its outbox can send on it, and NIO
    /// reads it. No SO_REUSEADDR on UDP: on Linux it would let a second process bind the same
    /// port and take part of the traffic, where "address in use" is the right answer.
    private func bindDatagramListener(host: String, port: Int) async throws -> BoundListener {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let descriptor = address.withSockAddr { sipdial_open_datagram_socket($0, socklen_t($1)) }
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "bind \(address)") }
        let outbox = SIPDatagramOutbox(descriptor: descriptor, eventLoop: eventLoop, queueLimit: configuration.udpSendQueueLimit) { [weak self] destination, error in
            self?.refused(destination, error)
        }
        let sink = self.sink
        let parser = SIPMessageParser(limits: configuration.limits)
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(configuration.udpReceiveBufferBytes))
            .channelOption(ChannelOptions.maxMessagesPerRead, value: UInt(max(configuration.udpMessagesPerRead, 1)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(parser: parser, sink: sink, outbox: outbox))
                }
            }
            .withBoundSocket(descriptor).get()
        return BoundListener(transport: .udp, channel: channel, outbox: outbox)
    }

    /// A message that could not be sent: counted, and logged at most once per interval.
    private func refused(_ destination: SocketAddress, _ error: Error) {
        eventLoop.assertInEventLoop()
        switch error {
        case SIPTransportError.unusableDestination: statistics.bump(\.unusableDestinations)
        case SIPTransportError.sendQueueFull: statistics.bump(\.sendQueueOverflows)
        default: statistics.bump(\.refusedByKernel)
        }
        if let suppressed = refusalLog.admit(now: eventLoop.now) {
            logger.warning("message not sent", metadata: ["destination": "\(destination)", "error": "\(error)", "not_logged_since_last": "\(suppressed)"])
        }
    }

    /// `remote`: the address an outbound connection goes to (known before it connects).
    private func addStreamHandlers(to channel: Channel, transport: SIPTransportType, remote: SocketAddress? = nil) throws {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: configuration.tcpIdleTimeout.timeAmount))
        if transport == .tls { try channel.pipeline.syncOperations.addHandler(TLSFailureLogger(logger: logger)) }
        try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(limits: configuration.limits, sink: sink, transport: transport))
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self, let remote = channel.remoteAddress ?? remote else { return }
            if self.connections[remote] === channel { self.connections[remote] = nil }
            self.connectionClosed?(remote, transport)
        }
    }

    /// The addresses actually bound, per transport (useful with port 0).
    public func boundAddresses() async throws -> [(SIPTransportType, SocketAddress)] {
        let connectOnly = configuration.connectOnly.map { [($0.transport, $0.address)] } ?? []
        return try await eventLoop.submit { self.listeners.compactMap { l in l.channel.localAddress.map { (l.transport, $0) } } }.get() + connectOnly
    }

    /// The number of open TCP connections (inbound and outbound).
    public func openConnectionCount() async throws -> Int {
        try await eventLoop.submit { self.connections.count }.get()
    }

    /// The local listener address for a transport and address family, to write in Via and Contact.
    public func localAddress(for transport: SIPTransportType, family remote: SocketAddress? = nil) -> SocketAddress? {
        eventLoop.assertInEventLoop()
        var candidates = listeners.filter { $0.transport == transport }.compactMap { $0.channel.localAddress }
        if let connectOnly = configuration.connectOnly, connectOnly.transport == transport { candidates.append(connectOnly.address) }
        if let remote {
            return candidates.first { sameFamily($0, remote) } ?? candidates.first
        }
        return candidates.first
    }

    private func sameFamily(_ a: SocketAddress, _ b: SocketAddress) -> Bool {
        switch (a, b) {
        case (.v4, .v4), (.v6, .v6): true
        default: false
        }
    }

    /// Sends a message to a destination: UDP from the listener of the right family, TCP over
    /// the open connection to that address or a new one. Must be called on `eventLoop`.
    public func send(_ message: SIPMessage, to destination: SIPDestination) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        statistics.bump(\.sent)
        // Serialized once, for the wire and the trace alike.
        let bytes = message.bytes
        if let trace = configuration.trace, let local = localAddress(for: destination.transport, family: destination.address) {
            trace.record(bytes, from: local, to: destination.address)
        }
        switch destination.transport {
        case .udp:
            guard let outbox = listeners.first(where: { $0.transport == .udp && $0.channel.localAddress.map { sameFamily($0, destination.address) } == true })?.outbox else {
                return eventLoop.makeFailedFuture(SIPTransportError.noListener(.udp))
            }
            let promise = eventLoop.makePromise(of: Void.self)
            outbox.send(bytes, to: destination.address, promise: promise)
            return promise.futureResult
        case .tcp, .tls:
            if let reason = UnusableDestination(destination.address) {
                let error = SIPTransportError.unusableDestination(reason)
                refused(destination.address, error)
                return eventLoop.makeFailedFuture(error)
            }
            return connection(to: destination).flatMap { channel in
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
            }
        }
    }

    /// Sends a response to a received request (RFC 3261 §18.2.2): back over its stream when
    /// open, else to the Via's received/rport/sent-by address.
    public func sendResponse(_ response: SIPResponse, for request: SIPInboundMessage) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        if let connection = request.connection, connection.isActive {
            statistics.bump(\.sent)
            let bytes = SIPMessage.response(response).bytes
            if let trace = configuration.trace, let local = connection.localAddress { trace.record(bytes, from: local, to: request.source) }
            return connection.writeAndFlush(connection.allocator.buffer(bytes: bytes))
        }
        guard let top = response.headers.listValues(.via).first, let via = try? Via(parsing: top, strict: false) else {
            return eventLoop.makeFailedFuture(SIPTransportError.unroutableResponse)
        }
        let target = SIPResponseRouting.target(for: via)
        if request.transport == .udp, target.host == request.source.ipText, target.port == request.source.port {
            return send(.response(response), to: SIPDestination(address: request.source, transport: .udp))
        }
        do {
            let address = try SocketAddress(ipAddress: target.host, port: target.port)
            return send(.response(response), to: SIPDestination(address: address, transport: request.transport))
        } catch {
            // sent-by is a host name: resolve it like any target (§18.2.2 defers to RFC 3263 §5).
            return SIPAddressLookup.resolve(host: target.host, port: target.port, on: eventLoop).flatMap { addresses in
                guard let first = addresses.first else { return self.eventLoop.makeFailedFuture(SIPTransportError.unroutableResponse) }
                return self.send(.response(response), to: SIPDestination(address: first, transport: request.transport))
            }
        }
    }

    /// The open TCP or TLS connection to the destination's address, or a new one (RFC 3261
    /// §18.1.1 connection reuse). A new TLS connection checks the far end's certificate
    /// against the destination's server name (or its IP address).
    private func connection(to destination: SIPDestination) -> EventLoopFuture<Channel> {
        let address = destination.address
        if let open = connections[address], open.isActive { return eventLoop.makeSucceededFuture(open) }
        if let pending = pendingConnects[address] { return pending }
        let tls = destination.transport == .tls ? tlsClient : nil
        if destination.transport == .tls, tls == nil { return eventLoop.makeFailedFuture(SIPTransportError.noListener(.tls)) }
        var bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(configuration.tcpConnectTimeout.timeAmount)
        if let source = configuration.connectOnly, source.transport == destination.transport {
            bootstrap = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 1).bind(to: source.address)
        }
        let future = bootstrap
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: destination.serverName))
                    }
                    try self.addStreamHandlers(to: channel, transport: destination.transport, remote: address)
                }
            }
            .connect(to: address)
        pendingConnects[address] = future
        future.whenComplete { [weak self] result in
            guard let self else { return }
            self.pendingConnects[address] = nil
            if case .success(let channel) = result { self.connections[address] = channel }
        }
        return future
    }

    /// Closes every listener and connection.
    public func shutdown() async {
        let channels: [Channel] = (try? await eventLoop.submit { self.listeners.map(\.channel) + Array(self.connections.values) }.get()) ?? []
        for channel in channels {
            try? await channel.close()
        }
    }
}

public enum SIPTransportError: Error, Equatable {
    case noListener(SIPTransportType)
    case unroutableResponse
    case noTargets(String)
    /// Nothing SIP can be at the destination (port 0, broadcast, multicast ...): not sent.
    case unusableDestination(UnusableDestination)
    /// More datagrams waited for room in the socket's send buffer than the configured limit.
    case sendQueueFull
}
