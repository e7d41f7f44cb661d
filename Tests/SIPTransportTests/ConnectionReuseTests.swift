import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
@testable import SIPTransport
import Testing

/// Outbound TCP connections are reused per remote address and closed when idle (real sockets).
struct ConnectionReuseTests {
    func stack(idle: Duration) async throws -> (SIPTransportLayer, MultiThreadedEventLoopGroup) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var config = SIPTransportConfiguration()
        config.listeners = [.init(host: "127.0.0.1", port: 0, transport: .tcp), .init(host: "127.0.0.1", port: 0, transport: .udp)]
        config.tcpIdleTimeout = idle
        let t = SIPTransportLayer(eventLoop: group.next(), configuration: config)
        try await t.start()
        return (t, group)
    }

    static let options = try! SIPMessageParser().parseDatagram(Array(StreamHandlerTests.options.utf8))

    @Test func twoSendsShareOneConnectionWhichClosesWhenIdle() async throws {
        let (a, ga) = try await stack(idle: .seconds(30))
        // b's idle timeout leaves room for a loaded machine between the sends and the counts
        // (2 s was not enough while the whole suite ran in parallel on two cores).
        let (b, gb) = try await stack(idle: .seconds(8))
        let received = ReceivedCounter()
        b.onReceive { _ in received.add() }
        let bAddr = try await b.boundAddresses().first { $0.0 == .tcp }!.1
        let dest = SIPDestination(address: bAddr, transport: .tcp)
        try await a.eventLoop.flatSubmit { a.send(Self.options, to: dest) }.get()
        try await a.eventLoop.flatSubmit { a.send(Self.options, to: dest) }.get()
        let deadline = ContinuousClock.now + .seconds(5)
        while received.value < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(received.value == 2)
        #expect(try await a.openConnectionCount() == 1)
        #expect(try await b.openConnectionCount() == 1)
        // b closes the idle connection after 8 s; a sees the close and forgets it.
        let closeDeadline = ContinuousClock.now + .seconds(30)
        while try await a.openConnectionCount() > 0, ContinuousClock.now < closeDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await a.openConnectionCount() == 0)
        await a.shutdown()
        await b.shutdown()
        try await ga.shutdownGracefully()
        try await gb.shutdownGracefully()
    }

    @Test func connectFailureFailsTheSend() async throws {
        let (a, ga) = try await stack(idle: .seconds(30))
        // A port with nothing listening on it: the bound UDP port of this same stack has no TCP listener.
        let udp = try await a.boundAddresses().first { $0.0 == .udp }!.1
        let dest = SIPDestination(address: try SocketAddress(ipAddress: "127.0.0.1", port: udp.port!), transport: .tcp)
        await #expect(throws: (any Error).self) {
            try await a.eventLoop.flatSubmit { a.send(Self.options, to: dest) }.get()
        }
        await a.shutdown()
        try await ga.shutdownGracefully()
    }
}

final class ReceivedCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    func add() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}

/// A TCP connection that closes under a request fails its transaction at once (RFC 3261
/// §18.4), not after Timer F's 32 s: a peer that reads the request and hangs up.
struct ConnectionCloseTests {
    /// Closes each connection as soon as something arrives on it.
    final class HangUpOnRead: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.close(promise: nil) }
    }

    @Test func aConnectionClosedUnderARequestFailsItsTransactionAtOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let peer = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.pipeline.addHandler(HangUpOnRead()) }
            .bind(host: "127.0.0.1", port: 0).get()
        var config = SIPTransportConfiguration()
        config.listeners = [.init(host: "127.0.0.1", port: 0, transport: .tcp)]
        let transport = SIPTransportLayer(eventLoop: group.next(), configuration: config)
        let transactions = SIPTransactionLayer(transport: transport)
        try await transport.start()
        guard case .request(var request) = ConnectionReuseTests.options else {
            Issue.record("not a request")
            return
        }
        request.headers.set(.via, "SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-close-\(UInt32.random(in: 0...UInt32.max))")
        let started = ContinuousClock.now
        let event = await withCheckedContinuation { (done: CheckedContinuation<SIPClientTransactionEvent, Never>) in
            transactions.sendRequest(request, to: SIPDestination(address: peer.localAddress!, transport: .tcp)) { done.resume(returning: $0) }
        }
        let waited = ContinuousClock.now - started
        guard case .transportFailed = event else {
            Issue.record("expected a transport failure, got \(event)")
            return
        }
        #expect(waited < .seconds(5), "failed after \(waited), not at Timer F")
        await transport.shutdown()
        try await peer.close()
        try await group.shutdownGracefully()
    }
}
