import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A minimal DNS stub resolver over UDP for SRV/A/AAAA questions (RFC 1035), asking the
/// configured name server (by default the first `nameserver` of /etc/resolv.conf).
public final class DNSClient: Sendable {
    public let nameServer: SocketAddress
    public let timeout: Duration
    private let eventLoop: EventLoop
    private let nextID = Mutex<UInt16>(UInt16.random(in: 0...UInt16.max))

    public init(nameServer: SocketAddress, timeout: Duration = .seconds(2), eventLoop: EventLoop) {
        self.nameServer = nameServer
        self.timeout = timeout
        self.eventLoop = eventLoop
    }

    /// The first name server of /etc/resolv.conf, or 127.0.0.1:53.
    public static func systemNameServer() -> SocketAddress {
        if let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                if f.count >= 2, f[0] == "nameserver", let a = try? SocketAddress(ipAddress: String(f[1]), port: 53) { return a }
            }
        }
        return try! SocketAddress(ipAddress: "127.0.0.1", port: 53)
    }

    func lookup(_ name: String, _ type: DNSMessage.RecordType) async throws -> [DNSMessage.Answer] {
        let id = nextID.withLock { v -> UInt16 in
            v &+= 1
            return v
        }
        let query = DNSMessage.query(id: id, name: name, type: type)
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSResponseHandler(promise: promise))
                }
            }
            .bind(host: nameServer.protocol == .inet6 ? "::" : "0.0.0.0", port: 0).get()
        defer { channel.close(promise: nil) }
        let timeoutTask = eventLoop.scheduleTask(in: timeout.timeAmount) {
            promise.fail(DNSError.timeout(name))
        }
        defer { timeoutTask.cancel() }
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: nameServer, data: channel.allocator.buffer(bytes: query)))
        let bytes = try await promise.futureResult.get()
        return try DNSMessage.decodeAnswers(bytes, id: id)
    }
}

public enum DNSError: Error, Equatable {
    case timeout(String)
}

private final class DNSResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let promise: EventLoopPromise<[UInt8]>

    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        promise.succeed(Array(envelope.data.readableBytesView))
    }
}
