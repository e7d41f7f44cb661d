import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import SIPCore
@testable import SIPTransport
import Testing

struct DatagramHandlerTests {
    /// Feeds `text` as a datagram from `source` (default: a socket of the test's, which
    /// receives what the handler answers through a real outbox).
    func run(_ text: String, from source: SocketAddress? = nil) throws -> (delivered: [SIPInboundMessage], written: [String], stats: SIPTransportStatistics.Counters) {
        let box = NIOLockedValueBox<[SIPInboundMessage]>([])
        let stats = SIPTransportStatistics()
        let sink = SIPInboundSink(statistics: stats, validator: SIPMessageValidator()) { m in box.withLockedValue { $0.append(m) } }
        let outbox = DatagramOutboxTests.Fixture()
        let channel = EmbeddedChannel(handler: SIPDatagramHandler(parser: SIPMessageParser(), sink: sink, outbox: outbox.outbox))
        try channel.writeInbound(AddressedEnvelope(remoteAddress: source ?? outbox.receiver.address, data: ByteBuffer(string: text)))
        outbox.loop.run()
        return (box.withLockedValue { $0 }, outbox.receiver.receiveAll(), stats.snapshot)
    }

    @Test func validRequestIsStampedWithReceivedAndRport() throws {
        let text = "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP host.example.com;branch=z9hG4bK-9;rport\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        let (delivered, written, _) = try run(text, from: try SocketAddress(ipAddress: "192.0.2.9", port: 5070))
        #expect(written.isEmpty)
        guard case .request(let r) = delivered.first?.message else { Issue.record("nothing delivered"); return }
        let via = try Via(parsing: r.headers.listValues(.via)[0])
        #expect(via.received == "192.0.2.9")
        #expect(via.rport == .some(5070))
    }

    @Test func malformedRequestIsAnswered400ToItsSource() throws {
        let text = "INVITE sip:user@example.com SIP/2.0\r\nTo: sip:j.user@example.com\r\nFrom: sip:caller@example.net;tag=1\r\nMax-Forwards: 7\r\nCall-ID: bad\r\nCSeq: 8 INVITE\r\nVia: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK1\r\nContent-Length: 9999\r\n\r\nv=0\r\n"
        let (delivered, written, stats) = try run(text)
        #expect(delivered.isEmpty)
        #expect(written.count == 1)
        #expect(written.first?.hasPrefix("SIP/2.0 400 Bad Request\r\n") == true)
        #expect(written.first?.contains("Call-ID: bad\r\n") == true)
        #expect(stats.rejectedMalformed == 1)
    }

    @Test func garbageIsDroppedAndCounted() throws {
        let (delivered, written, stats) = try run("\u{1}\u{2}GARBAGE\r\n\r\n")
        #expect(delivered.isEmpty && written.isEmpty)
        #expect(stats.droppedDatagrams == 1)
    }

    @Test func keepAliveIsIgnoredSilently() throws {
        let (delivered, written, stats) = try run("\r\n\r\n")
        #expect(delivered.isEmpty && written.isEmpty)
        #expect(stats.droppedDatagrams == 0)
    }
}
