import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
@testable import SIPTransport
import Testing

/// The UDP send path on real loopback sockets: a datagram the kernel refuses fails alone,
/// the rest of its batch is sent, and the socket keeps working.
struct DatagramOutboxTests {
    final class Refusals: Sendable {
        let box = NIOLockedValueBox<[(SocketAddress, String)]>([])
        func add(_ destination: SocketAddress, _ error: Error) { box.withLockedValue { $0.append((destination, "\(error)")) } }
        var all: [(SocketAddress, String)] { box.withLockedValue { $0 } }
    }

    /// An outbox sending on a socket of the test's, on an embedded loop (`run()` flushes).
    final class Fixture {
        let sender = try! LoopbackSocket()
        let receiver = try! LoopbackSocket()
        let loop = EmbeddedEventLoop()
        let refusals = Refusals()
        let outbox: SIPDatagramOutbox

        init(limit: Int = 100) {
            let refusals = self.refusals
            outbox = SIPDatagramOutbox(descriptor: sender.fd, eventLoop: loop, queueLimit: limit) { refusals.add($0, $1) }
        }

        func send(_ text: String, to destination: SocketAddress? = nil) -> EventLoopFuture<Void> {
            let promise = loop.makePromise(of: Void.self)
            outbox.send(Array(text.utf8), to: destination ?? receiver.address, promise: promise)
            return promise.futureResult
        }
    }

    func failure(of future: EventLoopFuture<Void>) -> Error? {
        let error = NIOLockedValueBox<Error?>(nil)
        future.whenFailure { e in error.withLockedValue { $0 = e } }
        return error.withLockedValue { $0 }
    }

    func errno(of future: EventLoopFuture<Void>) -> Int32? {
        (failure(of: future) as? IOError)?.errnoCode
    }

    @Test func refusedDatagramsFailAloneAndTheRestOfTheBatchIsSent() throws {
        let f = Fixture()
        let port = f.receiver.address.port!
        let futures = [
            f.send("first"),
            f.send(String(repeating: "x", count: 70_000)),                                         // EMSGSIZE
            f.send("wrong family", to: try SocketAddress(ipAddress: "::1", port: port)),            // IPv6 on an IPv4 socket
            f.send("directed broadcast", to: try SocketAddress(ipAddress: "127.255.255.255", port: port)), // EACCES
            f.send("second"),
        ]
        f.loop.run()
        #expect(f.receiver.receiveAll() == ["first", "second"])
        #expect(futures.map { failure(of: $0) == nil } == [true, false, false, false, true])
        #expect(errno(of: futures[1]) == EMSGSIZE)
        #expect(errno(of: futures[2]) != nil)
        #expect(errno(of: futures[3]) == EACCES)
        #expect(f.refusals.all.count == 3)
        // The socket still sends.
        let third = f.send("third")
        f.loop.run()
        #expect(failure(of: third) == nil)
        #expect(f.receiver.receiveAll() == ["third"])
    }

    @Test func unusableDestinationsNeverReachTheKernel() throws {
        let f = Fixture()
        let future = f.send("x", to: try SocketAddress(ipAddress: "127.0.0.1", port: 0))
        #expect(failure(of: future) as? SIPTransportError == .unusableDestination(.portZero))
        #expect(f.refusals.all.count == 1)
        f.loop.run()
        #expect(f.receiver.receiveAll().isEmpty)
    }

    @Test func aFullQueueRefusesMore() throws {
        let f = Fixture(limit: 2)
        let futures = (0..<3).map { f.send("m\($0)") }
        #expect(failure(of: futures[2]) as? SIPTransportError == .sendQueueFull)
        f.loop.run()
        #expect(f.receiver.receiveAll() == ["m0", "m1"])
        #expect(f.refusals.all.count == 1)
    }

    @Test func aClosedSocketFailsWhatWaitsAndWhatComes() throws {
        let f = Fixture()
        let waiting = f.send("w")
        f.outbox.socketClosed()
        let later = f.send("l")
        f.loop.run()
        #expect(failure(of: waiting) != nil && failure(of: later) != nil)
        #expect(f.receiver.receiveAll().isEmpty)
    }
}
