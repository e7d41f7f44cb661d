import NIOCore
import NIOPosix
import SIPCore
import SIPTransaction
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// sipdial's SIP stack in the test process on 127.0.0.1: transport, transaction layer and
/// (optionally) the auto-answer UAS, on free ports.
final class LocalSIPStack: @unchecked Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let transport: SIPTransportLayer
    let transactions: SIPTransactionLayer
    private(set) var uas: AutoAnswerUAS?
    let port: Int

    let host: String

    init(autoAnswer: Bool, answerDelay: Duration = .zero, allowedPeers: SIPPeerAllowList = .loopback, host: String = "127.0.0.1", timers: SIPTimerConfiguration = .default, idleTimeout: Duration = .seconds(60)) async throws {
        self.host = host
        var lastError: Error?
        for _ in 0..<5 {
            let port = Ports.free()
            var config = SIPTransportConfiguration()
            config.listeners = [
                .init(host: host, port: port, transport: .udp),
                .init(host: host, port: port, transport: .tcp),
            ]
            config.tcpIdleTimeout = idleTimeout
            let transport = SIPTransportLayer(eventLoop: group.next(), configuration: config)
            do {
                try await transport.start()
                self.port = port
                self.transport = transport
                self.transactions = SIPTransactionLayer(transport: transport, timers: timers)
                if autoAnswer { uas = AutoAnswerUAS(transactions: transactions, answerDelay: answerDelay, allowedPeers: allowedPeers) }
                // The UAS installs its handlers on the loop (the socket is already open): wait
                // until they are in place, so no early request meets the default 501.
                _ = try? await transport.eventLoop.submit {}.get()
                return
            } catch {
                await transport.shutdown()
                lastError = error
            }
        }
        throw lastError!
    }

    func shutdown() async {
        await transport.shutdown()
        try? await group.shutdownGracefully()
    }

    /// Sends a request through a client transaction and collects every event until a final
    /// response, a timeout or a transport failure.
    func run(_ request: SIPRequest, to destination: SIPDestination) async -> [SIPClientTransactionEvent] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[SIPClientTransactionEvent], Never>) in
            let collector = EventCollector(continuation)
            transactions.sendRequest(request, to: destination) { collector.add($0) }
        }
    }

    /// The same through RFC 3263 failover over `destinations`.
    func run(_ request: SIPRequest, trying destinations: [SIPDestination]) async -> [SIPClientTransactionEvent] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[SIPClientTransactionEvent], Never>) in
            let collector = EventCollector(continuation)
            transactions.sendRequest(request, trying: destinations) { collector.add($0) }
        }
    }

    /// A request from this stack to `port` on 127.0.0.1.
    func request(_ method: SIPMethod, toPort port: Int, transport: SIPTransportType, callID: String = SIPIdentifiers.callID(), cseq: UInt32 = 1, toTag: String? = nil, fromTag: String = "sipdial1", body: [UInt8] = []) -> SIPRequest {
        let uri = SIPURI(user: "service", host: "127.0.0.1", port: port, parameters: transport == .udp ? [] : [SIPParameter("transport", "tcp")])
        var to = SIPAddress(uri: SIPURI(user: "service", host: "127.0.0.1", port: port))
        to.tag = toTag
        return SIPRequestFactory.request(
            method: method, uri: uri, via: via(transport), from: SIPAddress(uri: SIPURI(user: "sipdial", host: "127.0.0.1", port: self.port), parameters: [SIPParameter("tag", fromTag)]),
            to: to, callID: callID, cseq: cseq, contact: SIPAddress(uri: SIPURI(user: "sipdial", host: "127.0.0.1", port: self.port)),
            contentType: body.isEmpty ? nil : "application/sdp", body: body)
    }

    func via(_ transport: SIPTransportType) -> Via {
        Via(transport: transport.rawValue, host: "127.0.0.1", port: port, parameters: [SIPParameter("branch", SIPIdentifiers.branch()), SIPParameter("rport")])
    }

    static func destination(_ port: Int, _ transport: SIPTransportType) -> SIPDestination {
        SIPDestination(address: try! SocketAddress(ipAddress: "127.0.0.1", port: port), transport: transport)
    }
}

private final class EventCollector: @unchecked Sendable {
    private var events: [SIPClientTransactionEvent] = []
    private var continuation: CheckedContinuation<[SIPClientTransactionEvent], Never>?

    init(_ c: CheckedContinuation<[SIPClientTransactionEvent], Never>) { continuation = c }

    /// Called on the stack's event loop only.
    func add(_ e: SIPClientTransactionEvent) {
        events.append(e)
        let done: Bool
        switch e {
        case .response(let r): done = r.isFinal
        case .timedOut, .transportFailed: done = true
        }
        if done, let c = continuation {
            continuation = nil
            c.resume(returning: events)
        }
    }
}

let sampleOffer = Array("v=0\r\no=sipdial 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n".utf8)
