import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on 127.0.0.1 (any free port) that keeps every POST it gets (signature
/// header and body) and answers 500 to the first `failFirst` of them, 200 after.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var signature: String
        var body: String
    }

    let port: Int
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup
    private let state: NIOLockedValueBox<(received: [Received], refused: Int)>

    init(failFirst: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = NIOLockedValueBox<(received: [Received], refused: Int)>(([], 0))
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: state, failFirst: failFirst))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.group = group
        self.state = state
    }

    var received: [Received] { state.withLockedValue { $0.received } }
    var refused: Int { state.withLockedValue { $0.refused } }

    func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: NIOLockedValueBox<(received: [Received], refused: Int)>
        let failFirst: Int
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(state: NIOLockedValueBox<(received: [Received], refused: Int)>, failFirst: Int) {
            (self.state, self.failFirst) = (state, failFirst)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                let received = Received(signature: head?.headers["Sipdial-Signature"].first ?? "", body: String(buffer: body))
                let refuse = state.withLockedValue { state -> Bool in
                    if state.refused < failFirst {
                        state.refused += 1
                        return true
                    }
                    state.received.append(received)
                    return false
                }
                let status: HTTPResponseStatus = refuse ? .internalServerError : .ok
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
