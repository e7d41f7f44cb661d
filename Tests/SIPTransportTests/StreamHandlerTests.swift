import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import SIPCore
@testable import SIPTransport
import Testing

/// The TCP framing handler fed through `EmbeddedChannel`: byte by byte, coalesced, keep-alives
/// and framing errors.
struct StreamHandlerTests {
    static let invite = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n"
    static let options = "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-2\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c2\r\nCSeq: 2 OPTIONS\r\nContent-Length: 0\r\n\r\n"

    final class Received: Sendable {
        let messages = NIOLockedValueBox<[SIPInboundMessage]>([])
        var count: Int { messages.withLockedValue { $0.count } }
    }

    func makeChannel(_ received: Received, statistics: SIPTransportStatistics = SIPTransportStatistics()) throws -> EmbeddedChannel {
        let sink = SIPInboundSink(statistics: statistics, validator: SIPMessageValidator()) { m in
            received.messages.withLockedValue { $0.append(m) }
        }
        let channel = EmbeddedChannel(handler: SIPStreamHandler(limits: .default, sink: sink))
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 40000)).wait()
        return channel
    }

    @Test func byteByByteInputYieldsOneMessage() throws {
        let received = Received()
        let channel = try makeChannel(received)
        for byte in Self.invite.utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(received.count == 1)
        let m = received.messages.withLockedValue { $0[0] }
        guard case .request(let r) = m.message else { Issue.record("not a request"); return }
        #expect(r.method == .invite)
        #expect(r.body == Array("v=0\n".utf8))
        // Stamped with received= because the source differs from sent-by (§18.2.1).
        #expect(try Via(parsing: r.headers.listValues(.via)[0]).received == "192.0.2.7")
        #expect(m.transport == .tcp)
    }

    @Test func coalescedMessagesAreSplit() throws {
        let received = Received()
        let channel = try makeChannel(received)
        try channel.writeInbound(ByteBuffer(string: Self.invite + "\r\n\r\n" + Self.options + Self.invite.prefix(40)))
        #expect(received.count == 2)
        try channel.writeInbound(ByteBuffer(string: String(Self.invite.dropFirst(40))))
        #expect(received.count == 3)
        #expect(channel.isActive)
    }

    @Test func doubleCRLFKeepAliveGetsPong() throws {
        let received = Received()
        let channel = try makeChannel(received)
        try channel.writeInbound(ByteBuffer(string: "\r\n\r\n"))
        let pong = try channel.readOutbound(as: ByteBuffer.self)
        #expect(pong.map { String(buffer: $0) } == "\r\n")
        #expect(received.count == 0)
    }

    @Test func missingContentLengthAnswers400AndClosesOnlyThisConnection() throws {
        let received = Received()
        let stats = SIPTransportStatistics()
        let channel = try makeChannel(received, statistics: stats)
        let broken = Self.options.replacingOccurrences(of: "Content-Length: 0\r\n", with: "")
        try channel.writeInbound(ByteBuffer(string: broken))
        let reply = try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        #expect(reply?.hasPrefix("SIP/2.0 400 ") == true)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(received.count == 0)
        #expect(stats.snapshot.framingErrors == 1)
    }

    @Test func oversizedHeadersCloseTheConnection() throws {
        let received = Received()
        let channel = try makeChannel(received)
        try channel.writeInbound(ByteBuffer(string: "OPTIONS sip:x SIP/2.0\r\nX: " + String(repeating: "a", count: 70_000)))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
