import NIOCore
import SIPCore

/// Reads SIP datagrams (RFC 3261 §18.3): parses each, stamps received/rport on requests and
/// passes the message up. A malformed request with a readable top Via is answered (400, 505
/// ...) at once, through the listener's outbox; anything else malformed is dropped and
/// counted.
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let parser: SIPMessageParser
    private let sink: SIPInboundSink
    private let outbox: SIPDatagramOutbox

    init(parser: SIPMessageParser, sink: SIPInboundSink, outbox: SIPDatagramOutbox) {
        self.parser = parser
        self.sink = sink
        self.outbox = outbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let source = envelope.remoteAddress
        let parsed: Result<SIPMessage, SIPParseError> = envelope.data.withUnsafeReadableBytes { buf in
            // A keep-alive (CRLF only, RFC 5626 §4.4.1) is not a message.
            if buf.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return .failure(SIPParseError(.empty, offset: 0, "keep-alive")) }
            do throws(SIPParseError) {
                return .success(try parser.parseDatagram(buf))
            } catch {
                return .failure(error)
            }
        }
        switch parsed {
        case .success(let message):
            sink.deliver(message, source: source, transport: .udp, connection: nil)
        case .failure(let error):
            if error.kind == .empty { return }
            guard let response = sink.errorResponse(for: error) else {
                sink.statistics.bump(\.droppedDatagrams)
                return
            }
            sink.statistics.bump(\.rejectedMalformed)
            outbox.send(SIPMessage.response(response).bytes, to: source, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outbox.socketClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors and the like on an unconnected UDP socket must not close the listener.
    }
}
