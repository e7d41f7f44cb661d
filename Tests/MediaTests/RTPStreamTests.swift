import Foundation
import Media
import NIOPosix
import Testing

/// Two RTP streams talking to each other over real sockets on 127.0.0.1.
@Suite(.serialized)
struct RTPStreamTests {
    @Test(arguments: [false, true])
    func reportsFlowBothWaysAndGiveTheRoundTrip(rtcpMux: Bool) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ports = RTPPortAllocator(range: 30_000...39_999)
        let a = try await RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        let b = try await RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        #expect(a.localPort! % 2 == 0 && b.localPort! % 2 == 0, "RTP on even ports")
        func parameters(to peer: RTPAudioStream) -> RTPStreamParameters {
            RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: peer.localPort!, payloadType: 0, encoding: .pcmu,
                                rtcpMux: rtcpMux, rtcpInterval: 0.3)
        }
        try a.start(parameters(to: b), source: nil, sink: nil)
        try b.start(parameters(to: a), source: nil, sink: nil)
        try await Task.sleep(for: .seconds(2))
        let (sa, _) = try await a.stop()
        let (sb, _) = try await b.stop()
        try await group.shutdownGracefully()
        for s in [sa, sb] {
            #expect(s.packetsSent >= 90 && s.packetsReceived >= 80, "\(s)")
            #expect(s.rtcpSent >= 3 && s.rtcpReceived >= 2, "\(s)")
            #expect((s.rttMilliseconds ?? 999) < 50, "\(s)")
            #expect(s.packetsDropped == 0, "\(s)")
        }
    }

    @Test func allocatorGivesEvenPortsInRangeRoundRobin() {
        let ports = RTPPortAllocator(range: 20_001...20_010)
        let got = (0..<10).map { _ in ports.candidate() }
        #expect(got.allSatisfy { $0 % 2 == 0 && (20_002...20_008).contains($0) }, "\(got)")
        #expect(Set(got.prefix(4)).count == 4, "four pairs fit and each is used before any repeats: \(got)")
        #expect(ports.pairCount == 4)
    }
}
