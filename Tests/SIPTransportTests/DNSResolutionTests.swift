import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPCore
@testable import SIPTransport
import Testing

/// RFC 3263 resolution against a tiny authoritative DNS server on 127.0.0.1 (real UDP).
struct DNSResolutionTests {
    /// Answers SRV for _sip._udp.trunk.test and A for the SRV targets.
    final class FakeDNS: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let env = unwrapInboundIn(data)
            let q = Array(env.data.readableBytesView)
            var i = 12
            guard let name = try? DNSMessage.readName(q, &i) else { return }
            let type = DNSMessage.u16(q, i)
            var answers: [[UInt8]] = []
            func rr(_ type: UInt16, _ rdata: [UInt8]) -> [UInt8] {
                [0xC0, 0x0C] + DNSMessage.be16(type) + DNSMessage.be16(1) + [0, 0, 0, 60] + DNSMessage.be16(UInt16(rdata.count)) + rdata
            }
            func encodeName(_ n: String) -> [UInt8] {
                n.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
            }
            if name == "_sip._udp.trunk.test", type == 33 {
                answers.append(rr(33, DNSMessage.be16(20) + DNSMessage.be16(0) + DNSMessage.be16(5090) + encodeName("backup.trunk.test")))
                answers.append(rr(33, DNSMessage.be16(10) + DNSMessage.be16(5) + DNSMessage.be16(5080) + encodeName("primary.trunk.test")))
            } else if name == "primary.trunk.test", type == 1 {
                answers.append(rr(1, [127, 0, 0, 11]))
            } else if name == "backup.trunk.test", type == 1 {
                answers.append(rr(1, [127, 0, 0, 12]))
            }
            var reply = Array(q[0..<2]) + [0x81, 0x80] + DNSMessage.be16(1) + DNSMessage.be16(UInt16(answers.count)) + [0, 0, 0, 0]
            reply += Array(q[12..<(i + 4)])
            for a in answers { reply += a }
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: env.remoteAddress, data: ByteBuffer(bytes: reply))), promise: nil)
        }
    }

    @Test func srvTargetsInPriorityOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await DatagramBootstrap(group: group)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(FakeDNS()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let dns = DNSClient(nameServer: server.localAddress!, eventLoop: group.next())
        let resolver = SIPTargetResolver(dns: dns, eventLoop: group.next())
        let targets = try await resolver.resolve(try SIPURI(parsing: "sip:trunk.test"))
        #expect(targets.map { "\($0.address.ipAddress!):\($0.address.port!)" } == ["127.0.0.11:5080", "127.0.0.12:5090"])
        #expect(targets.allSatisfy { $0.transport == .udp })
        // Numeric host and explicit port skip DNS.
        let direct = try await resolver.resolve(try SIPURI(parsing: "sip:127.0.0.5:5070;transport=tcp"))
        #expect(direct == [SIPDestination(address: try SocketAddress(ipAddress: "127.0.0.5", port: 5070), transport: .tcp)])
        // No SRV: A record of the name on 5060 (here /etc/hosts' localhost through the system resolver).
        let plain = try await resolver.resolve(try SIPURI(parsing: "sip:localhost"))
        #expect(plain.first?.address.port == 5060)
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test func decoderRejectsLoopsAndTruncation() {
        var i = 0
        #expect(throws: (any Error).self) { try DNSMessage.readName([0xC0, 0x00], &i) }
        #expect(throws: (any Error).self) { try DNSMessage.decodeAnswers([0, 1, 0x81, 0x80, 0, 1], id: 1) }
    }
}
