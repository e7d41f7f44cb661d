import Foundation
@testable import Media
import NIOCore
import NIOPosix
import SDP
import Testing

/// Two RTP streams talking SRTP (RFC 3711) over real sockets on 127.0.0.1: audio and RTCP
/// cross under each suite, a plain listener sees no audio, a wrong key gets nothing through,
/// and a new key mid-call (a re-INVITE) carries on.
@Suite(.serialized)
struct SRTPStreamTests {
    static func key(_ suite: SDESCrypto.Suite) -> [UInt8] {
        (0..<(suite.keyLength + suite.saltLength)).map { _ in UInt8.random(in: 0...255) }
    }

    /// Streams `a` and `b` on one loop; `a` plays a 1 kHz tone to `b`, which records it.
    struct Pair {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let a: RTPAudioStream, b: RTPAudioStream
        let heardByB = AudioRecorder(sampleRate: 8000)

        init() throws {
            let ports = RTPPortAllocator(range: 30_000...39_999)
            a = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
            b = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        }

        func parameters(to peer: RTPAudioStream, _ srtp: NegotiatedSRTP?, rtcpMux: Bool = false) -> RTPStreamParameters {
            var p = RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: peer.localPort, payloadType: 0, encoding: .pcmu,
                                        rtcpMux: rtcpMux, rtcpInterval: 0.3)
            p.srtp = srtp
            return p
        }

        func start(a aKeys: NegotiatedSRTP?, b bKeys: NegotiatedSRTP?, rtcpMux: Bool = false) throws {
            let tone = WAVAudio(samples: ResamplerTests.tone(rate: 8000, seconds: 4, hz: 1000), sampleRate: 8000)
            try a.start(parameters(to: b, aKeys, rtcpMux: rtcpMux), source: WAVPlayer(tone), sink: nil)
            try b.start(parameters(to: a, bKeys, rtcpMux: rtcpMux), source: nil, sink: heardByB)
        }

        func stop() async throws -> (RTPStreamStatistics, RTPStreamStatistics) {
            let (sa, _) = try await a.stop()
            let (sb, _) = try await b.stop()
            try await group.shutdownGracefully()
            return (sa, sb)
        }
    }

    @Test(arguments: [(SDESCrypto.Suite.aesCM128HMACSHA1_80, false), (.aesCM128HMACSHA1_32, true), (.aeadAES128GCM, false)])
    func audioAndReportsCrossUnderEachSuite(suite: SDESCrypto.Suite, rtcpMux: Bool) async throws {
        let pair = try Pair()
        let keyA = Self.key(suite), keyB = Self.key(suite)
        try pair.start(a: NegotiatedSRTP(suite: suite, sendKey: keyA, receiveKey: keyB),
                       b: NegotiatedSRTP(suite: suite, sendKey: keyB, receiveKey: keyA), rtcpMux: rtcpMux)
        try await Task.sleep(for: .seconds(2))
        let (sa, sb) = try await pair.stop()
        #expect(sb.packetsReceived >= 50 && sb.packetsDropped == 0, "\(sb)")
        #expect(sa.rtcpReceived >= 1 && sb.rtcpReceived >= 1, "SRTCP both ways: \(sa) \(sb)")
        #expect(sa.srtp == suite.rawValue && sb.srtp == suite.rawValue)
        let heard = pair.heardByB.samples
        #expect(heard.count >= 8000)
        guard heard.count >= 8000 else { return }
        #expect(FrequencyShare.of(1000, in: heard[2000..<8000]) > 0.8, "the tone arrives decrypted")
    }

    /// A receiver with the wrong key takes nothing (each packet fails authentication); a
    /// plain receiver takes the packets as RTP but hears noise, not the tone.
    @Test func aWrongKeyOrNoKeyHearsNothingOfTheTone() async throws {
        let suite = SDESCrypto.Suite.aesCM128HMACSHA1_80
        let keyA = Self.key(suite), keyB = Self.key(suite)
        let wrong = try Pair()
        try wrong.start(a: NegotiatedSRTP(suite: suite, sendKey: keyA, receiveKey: keyB),
                        b: NegotiatedSRTP(suite: suite, sendKey: keyB, receiveKey: Self.key(suite)))
        try await Task.sleep(for: .seconds(1))
        let (_, sb) = try await wrong.stop()
        #expect(sb.packetsReceived == 0 && sb.packetsDropped >= 25, "\(sb)")
        #expect(wrong.heardByB.samples.allSatisfy { $0 == 0 })

        let plain = try Pair()
        try plain.start(a: NegotiatedSRTP(suite: suite, sendKey: keyA, receiveKey: keyB), b: nil)
        try await Task.sleep(for: .seconds(1))
        _ = try await plain.stop()
        let heard = plain.heardByB.samples
        #expect(heard.count >= 4000)
        guard heard.count >= 4000 else { return }
        #expect(FrequencyShare.of(1000, in: heard[1000..<4000]) < 0.2, "ciphertext is not the tone")
    }

    /// A re-INVITE gives `a` a new sending key: `b` learns it in its update and the tone goes on.
    @Test func aNewKeyMidCallCarriesOn() async throws {
        let suite = SDESCrypto.Suite.aesCM128HMACSHA1_80
        let pair = try Pair()
        let keyA = Self.key(suite), keyB = Self.key(suite), newA = Self.key(suite)
        try pair.start(a: NegotiatedSRTP(suite: suite, sendKey: keyA, receiveKey: keyB),
                       b: NegotiatedSRTP(suite: suite, sendKey: keyB, receiveKey: keyA))
        try await Task.sleep(for: .seconds(1))
        try pair.b.update(pair.parameters(to: pair.a, NegotiatedSRTP(suite: suite, sendKey: keyB, receiveKey: newA)))
        try pair.a.update(pair.parameters(to: pair.b, NegotiatedSRTP(suite: suite, sendKey: newA, receiveKey: keyB)))
        try await Task.sleep(for: .seconds(1.5))
        let (_, sb) = try await pair.stop()
        #expect(sb.packetsReceived >= 60, "packets under both keys: \(sb)")
        // At most the packets in flight between the two updates fail.
        #expect(sb.packetsDropped <= 3, "\(sb)")
        let heard = pair.heardByB.samples
        #expect(heard.count >= 16_000)
        guard heard.count >= 16_000 else { return }
        #expect(FrequencyShare.of(1000, in: heard[10_000..<16_000]) > 0.8, "the tone goes on under the new key")
    }
}
