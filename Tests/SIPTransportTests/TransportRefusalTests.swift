import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
@testable import SIPTransport
import Testing

/// The transport layer on real sockets: a message it cannot send fails alone, is counted,
/// and the listener goes on sending and receiving.
struct TransportRefusalTests {
    @Test func refusedSendsAreCountedAndTheListenerKeepsWorking() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var config = SIPTransportConfiguration()
        config.listeners = [.init(host: "127.0.0.1", port: 0, transport: .udp), .init(host: "127.0.0.1", port: 0, transport: .tcp)]
        let a = SIPTransportLayer(eventLoop: group.next(), configuration: config)
        let b = SIPTransportLayer(eventLoop: group.next(), configuration: config)
        try await a.start()
        try await b.start()
        let received = ReceivedCounter()
        b.onReceive { _ in received.add() }
        let bUDP = try await b.boundAddresses().first { $0.0 == .udp }!.1
        let options = ConnectionReuseTests.options

        func send(_ message: SIPMessage, to address: SocketAddress, _ transport: SIPTransportType) async -> Error? {
            do {
                try await a.eventLoop.flatSubmit { a.send(message, to: SIPDestination(address: address, transport: transport)) }.get()
                return nil
            } catch {
                return error
            }
        }

        // Refused before the kernel, on both transports.
        for (host, port) in [("127.0.0.1", 0), ("255.255.255.255", 5060), ("224.0.0.1", 5060), ("0.0.0.0", 5060)] {
            let address = try SocketAddress(ipAddress: host, port: port)
            #expect(await send(options, to: address, .udp) is SIPTransportError, "\(host):\(port) udp")
            #expect(await send(options, to: address, .tcp) is SIPTransportError, "\(host):\(port) tcp")
        }
        // Refused by the kernel: a directed broadcast (EACCES) and a datagram over 64 KiB (EMSGSIZE).
        #expect((await send(options, to: try SocketAddress(ipAddress: "127.255.255.255", port: 5060), .udp) as? IOError)?.errnoCode == EACCES)
        guard case .request(var huge) = options else { Issue.record("not a request"); return }
        huge.headers.append(SIPHeaderName("X-Padding"), String(repeating: "p", count: 70_000))
        #expect((await send(.request(huge), to: bUDP, .udp) as? IOError)?.errnoCode == EMSGSIZE)
        // Still sending.
        #expect(await send(options, to: bUDP, .udp) == nil)
        try await poll { received.value == 1 }
        let counters = a.statistics.snapshot
        #expect(counters.unusableDestinations == 8)
        #expect(counters.refusedByKernel == 2)
        await a.shutdown()
        await b.shutdown()
        try await group.shutdownGracefully()
    }

    func poll(_ done: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(done())
    }
}
