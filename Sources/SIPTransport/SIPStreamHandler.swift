import NIOCore
import SIPCore

/// Frames SIP messages out of a TCP or TLS stream with `SIPStreamFramer` (RFC 3261 §18.3). A
/// framing error answers the broken request when possible, then closes this connection only.
/// Idle connections are closed when `IdleStateHandler` says so.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var framer: SIPStreamFramer
    private var buffer: ByteBuffer?
    private let sink: SIPInboundSink
    private let transport: SIPTransportType

    init(limits: SIPParserLimits, sink: SIPInboundSink, transport: SIPTransportType = .tcp) {
        self.framer = SIPStreamFramer(limits: limits)
        self.sink = sink
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        drain(context: context)
    }

    private func drain(context: ChannelHandlerContext) {
        guard let remote = context.channel.remoteAddress else { return }
        while var buf = buffer, buf.readableBytes > 0 {
            let result: Result<SIPStreamFramer.Frame, SIPParseError> = buf.withUnsafeReadableBytes { raw in
                do throws(SIPParseError) {
                    return .success(try framer.frame(raw))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(.needMoreData):
                return
            case .success(.keepAlive(let consumed, let doubleCRLF)):
                buf.moveReaderIndex(forwardBy: consumed)
                buffer = buf
                // RFC 5626 §4.4.1: a double-CRLF ping gets a single-CRLF pong.
                if doubleCRLF { context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\r\n")), promise: nil) }
            case .success(.message(let message, let consumed)):
                buf.moveReaderIndex(forwardBy: consumed)
                buf.discardReadBytes()
                buffer = buf
                sink.deliver(message, source: remote, transport: transport, connection: context.channel)
            case .failure(let error):
                sink.statistics.bump(\.framingErrors)
                buffer = nil
                if let response = sink.errorResponse(for: error) {
                    let bytes = context.channel.allocator.buffer(bytes: SIPMessage.response(response).bytes)
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    context.close(promise: nil)
                }
                return
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
