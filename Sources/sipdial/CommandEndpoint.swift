import ArgumentParser
import Logging
import NIOCore
import NIOPosix
import SIPCore
import SIPTransport

/// The SIP endpoint a one-shot command (`call`, `register`, `loadtest`) runs on: one listener
/// on an ephemeral port, the transaction layer and an RFC 3263 resolver, all on one event loop.
/// `run` closes everything before it returns, whatever the body does.
struct CommandEndpoint {
    let kind: SIPTransportType
    let transport: SIPTransportLayer
    let transactions: SIPTransactionLayer
    let resolver: SIPTargetResolver
    let bound: SocketAddress
    let group: EventLoopGroup

    /// Listens on `local` (exit 3 when it cannot), runs `body`, then shuts down.
    /// `threads`: event loops for media (SIP runs on the first).
    static func run<T: Sendable>(local: String, kind: SIPTransportType, tls: SIPTLSSettings, trace: SIPTraceFile? = nil, threads: Int = 1,
                                 onError: (String) -> Void, _ body: (CommandEndpoint) async throws -> T) async throws -> T {
        try await run(local: local, kind: kind, tls: tls, trace: trace, threads: threads, count: 1, onError: onError) { try await body($0[0]) }
    }

    /// `count` endpoints on `local`, each on its own ephemeral port and its own event loop of
    /// a group of `threads` (taken in turn), so their signaling runs in parallel; runs `body`
    /// with them, then shuts them all down. Every message goes to `trace` too, closed at the end.
    static func run<T: Sendable>(local: String, kind: SIPTransportType, tls: SIPTLSSettings, trace: SIPTraceFile? = nil, threads: Int, count: Int,
                                 onError: (String) -> Void,
                                 _ body: ([CommandEndpoint]) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var logger = Logger(label: "sipdial")
        logger.logLevel = .warning
        var transports: [SIPTransportLayer] = []
        let result = await Result { () async throws -> T in
            var endpoints: [CommandEndpoint] = []
            for _ in 0..<count {
                var config = SIPTransportConfiguration()
                config.listeners = [.init(host: local, port: 0, transport: kind)]
                config.tls = tls
                config.trace = trace
                if kind == .tls, tls.certificateFile == nil {
                    // No certificate to listen with: a client that connects from one port.
                    config.listeners = []
                    do { config.connectOnly = .init(transport: .tls, address: try await freeStreamAddress(on: local, group: group)) } catch {
                        onError("cannot find a port on \(local): \(error)")
                        throw ExitCode(3)
                    }
                }
                let transport = SIPTransportLayer(eventLoop: group.next(), configuration: config, logger: logger)
                transports.append(transport)
                do { try await transport.start() } catch {
                    onError("cannot listen on \(local): \(error)")
                    throw ExitCode(3)
                }
                endpoints.append(CommandEndpoint(
                    kind: kind, transport: transport,
                    transactions: SIPTransactionLayer(transport: transport, logger: logger),
                    resolver: SIPTargetResolver(dns: DNSClient(nameServer: DNSClient.systemNameServer(), eventLoop: transport.eventLoop), eventLoop: transport.eventLoop),
                    bound: try await transport.boundAddresses()[0].1, group: group))
            }
            let value = try await body(endpoints)
            for endpoint in endpoints { await endpoint.settle() }
            return value
        }
        for transport in transports { await transport.shutdown() }
        trace?.close()
        try? await group.shutdownGracefully()
        return try result.get()
    }

    /// Waits, up to 2 s, for the answers to the requests still out (the BYE of a call the
    /// body just ended): a one-shot command that closed its sockets at once would leave them
    /// unanswered (and a lost BYE not retransmitted).
    private func settle() async {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline, (try? await transactions.unansweredClientCount()) ?? 0 > 0 {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// An address on `host` with a TCP port free now: where a connect-only TLS client's
    /// connections leave from.
    private static func freeStreamAddress(on host: String, group: EventLoopGroup) async throws -> SocketAddress {
        let probe = try await ServerBootstrap(group: group).bind(host: host, port: 0).get()
        let address = probe.localAddress
        try await probe.close()
        guard let address else { throw ChannelError.unknownLocalAddress }
        return address
    }

    /// `transport=tcp` or `tls` for URIs of a stream transport (RFC 3261 §19.1.1).
    var transportParameters: [SIPParameter] { kind == .udp ? [] : [SIPParameter("transport", kind.uriParameter)] }

    /// This side's Contact URI.
    func contact(user: String?) -> SIPURI {
        SIPURI(user: user, host: bound.sipHost, port: bound.port, parameters: transportParameters)
    }

    /// The Via template (the branch is added per request), with rport (RFC 3581).
    var via: Via { Via(transport: kind.rawValue, host: bound.sipHost, port: bound.port, parameters: [SIPParameter("rport")]) }

    /// Resolves `uri` (RFC 3263); exit 3 with the reason when it cannot.
    func destinations(for uri: SIPURI, name: String, onError: (String) -> Void) async throws -> [SIPDestination] {
        do {
            let list = try await resolver.resolve(uri, transport: kind)
            guard !list.isEmpty else { throw SIPTransportError.noTargets(name) }
            return list
        } catch {
            onError("cannot resolve \(name): \(error)")
            throw ExitCode(3)
        }
    }
}
