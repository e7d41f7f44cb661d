import Foundation
@testable import Media
import NIOCore
import NIOPosix
import Testing

/// Two RTP streams talking to each other over real sockets on 127.0.0.1.
@Suite(.serialized)
struct RTPStreamTests {
    @Test(arguments: [false, true])
    func reportsFlowBothWaysAndGiveTheRoundTrip(rtcpMux: Bool) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ports = RTPPortAllocator(range: 30_000...39_999)
        let a = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        let b = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        #expect(a.localPort % 2 == 0 && b.localPort % 2 == 0, "RTP on even ports")
        func parameters(to peer: RTPAudioStream) -> RTPStreamParameters {
            RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: peer.localPort, payloadType: 0, encoding: .pcmu,
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

    /// Symmetric RTP (for peers behind NAT): the stream sends to where the first packet came
    /// from, not to the offered port, and from then on its socket is connected to that
    /// source, so another sender's packets (even with the same SSRC) never reach the call.
    @Test(arguments: ["127.0.0.1", "::1"])
    func latchesToTheFirstSourceAndTakesNoOtherSender(host: String) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stream = try RTPAudioStream.bind(host: host, ports: RTPPortAllocator(range: 30_000...39_999), group: group)
        let peer = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: 0))
        let intruder = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: 0))
        let offered = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: 0))
        defer { [peer, intruder, offered].forEach { $0.close() } }
        try stream.start(RTPStreamParameters(remoteAddress: host, remotePort: offered.localPort, payloadType: 0, encoding: .pcmu, rtcpInterval: 0),
                         source: nil, sink: nil)
        let target = DatagramPeer(try SocketAddress(ipAddress: host, port: stream.localPort))
        func packet(_ sequence: UInt16) -> [UInt8] {
            [0x80, 0x00, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF) &* 160, 0x12, 0x34, 0x56, 0x78]
                + [UInt8](repeating: 0xFF, count: 160)
        }
        for sequence in UInt16(1)...10 {
            packet(sequence).withUnsafeBytes { _ = peer.send($0, to: target) }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(100))
        for sequence in UInt16(11)...20 {
            packet(sequence).withUnsafeBytes { _ = intruder.send($0, to: target) }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(100))
        let (statistics, _) = try await stream.stop()
        try await group.shutdownGracefully()
        var reachedPeer = 0, reachedOffered = 0
        let batch = DatagramBatch()
        peer.receiveWaiting(into: batch) { _, _, _ in reachedPeer += 1 }
        offered.receiveWaiting(into: batch) { _, _, _ in reachedOffered += 1 }
        // Nine or ten of the peer's (RFC 3550 A.1 probation may leave the first uncounted);
        // nineteen or twenty had the intruder's come through.
        #expect((9...10).contains(statistics.packetsReceived), "the intruder's ten packets never reached the stream: \(statistics)")
        #expect(statistics.remote == "\(host):\(peer.localPort)", "\(statistics)")
        #expect(reachedPeer >= 10, "RTP went to where the peer sends from")
        #expect(reachedOffered < 3, "at most the frames sent before the first packet went to the offered port: \(reachedOffered)")
    }

    /// `stop()` frees the RTP and RTCP ports at once, while the stream object lives on
    /// (a call keeps it for its figures): the next call may bind them.
    @Test func stopReleasesBothPorts() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stream = try RTPAudioStream.bind(host: "127.0.0.1", ports: RTPPortAllocator(range: 30_000...39_999), group: group)
        try stream.start(RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: 9, payloadType: 0, encoding: .pcmu), source: nil, sink: nil)
        let ports = [stream.localPort, stream.localPort + 1]
        #expect(ports.allSatisfy { (try? DatagramSocket(bindingTo: SocketAddress(ipAddress: "127.0.0.1", port: $0))) == nil }, "taken while running")
        _ = try await stream.stop()
        for port in ports {
            let again = try DatagramSocket(bindingTo: SocketAddress(ipAddress: "127.0.0.1", port: port))
            again.close()
        }
        withExtendedLifetime(stream) {}
        try await group.shutdownGracefully()
    }

    /// Opus streams run at 16 kHz: a 6 kHz tone, which G.711's 8 kHz cannot hold, crosses
    /// from a 16 kHz WAV to a 16 kHz recorder; the other way an 8 kHz prompt is converted up
    /// to the stream and what arrives converted down into an 8 kHz recorder.
    @Test func opusStreamsCarryWidebandAudioAndConvertNarrowbandPorts() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ports = RTPPortAllocator(range: 30_000...39_999)
        let a = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        let b = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        func parameters(to peer: RTPAudioStream) -> RTPStreamParameters {
            RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: peer.localPort, payloadType: 111, encoding: .opus)
        }
        let wide = WAVAudio(samples: ResamplerTests.tone(rate: 16000, seconds: 3, hz: 6000), sampleRate: 16000)
        let narrow = WAVAudio(samples: ResamplerTests.tone(rate: 8000, seconds: 3, hz: 1000), sampleRate: 8000)
        let heardByB = AudioRecorder(sampleRate: 16000), heardByA = AudioRecorder(sampleRate: 8000)
        try a.start(parameters(to: b), source: WAVPlayer(wide), sink: heardByA)
        try b.start(parameters(to: a), source: WAVPlayer(narrow), sink: heardByB)
        try await Task.sleep(for: .seconds(2))
        let (sa, _) = try await a.stop()
        let (sb, _) = try await b.stop()
        try await group.shutdownGracefully()
        // Two seconds' worth; at least one when a loaded machine's clock skipped frames.
        #expect(sa.packetsReceived >= 50 && sb.packetsReceived >= 50, "\(sa) \(sb)")
        #expect(heardByB.samples.count >= 16_000 && heardByA.samples.count >= 8000, "\(heardByB.samples.count) \(heardByA.samples.count)")
        guard heardByB.samples.count >= 16_000, heardByA.samples.count >= 8000 else { return }
        let wideband = heardByB.samples[4000..<16_000]
        #expect(FrequencyShare.of(6000, in: wideband, sampleRate: 16000) > 0.8, "the 6 kHz tone arrives")
        #expect(FrequencyShare.of(1000, in: heardByA.samples[2000..<8000]) > 0.8, "the 8 kHz prompt arrives at 8 kHz")
    }

    /// A re-INVITE that moves the call from PCMU (8 kHz audio, 8 kHz RTP clock) to Opus
    /// (16 kHz audio, 48 kHz clock): the recording goes on where it was instead of starting
    /// over at the new codec's first timestamp, the tone is heard throughout, and digits sent
    /// after the change last their 100 ms in the new clock.
    @Test func aCodecChangeMidCallKeepsTheRecordingsTimeline() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ports = RTPPortAllocator(range: 30_000...39_999)
        let a = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        let b = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        func parameters(to peer: RTPAudioStream, opus: Bool) -> RTPStreamParameters {
            RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: peer.localPort, payloadType: opus ? 111 : 0, encoding: opus ? .opus : .pcmu,
                                telephoneEventPayloadType: opus ? 102 : 101)
        }
        let tone = WAVAudio(samples: ResamplerTests.tone(rate: 8000, seconds: 1, hz: 1000), sampleRate: 8000)
        let heard = AudioRecorder(sampleRate: 8000)
        try a.start(parameters(to: b, opus: false), source: WAVPlayer(tone, repeatCount: 0), sink: nil)
        try b.start(parameters(to: a, opus: false), source: nil, sink: heard)
        try await Task.sleep(for: .seconds(1))
        try b.update(parameters(to: a, opus: true))
        try a.update(parameters(to: b, opus: true))
        try await Task.sleep(for: .milliseconds(100))
        a.sendDigits("12")
        try await Task.sleep(for: .milliseconds(1200))
        let (received, digits) = try await b.stop()
        _ = try await a.stop()
        try await group.shutdownGracefully()
        // As long as what was received (one 20 ms frame per packet, 2.3 s when the machine
        // keeps time; a loaded machine's clock skips frames), give or take the jitter
        // buffer's delay: not a second shorter, the audio after the change written over the
        // second before it.
        let samples = heard.samples
        let expected = Int(received.packetsReceived) * 160
        #expect(abs(samples.count - expected) < 2400, "\(samples.count) samples for \(received.packetsReceived) packets")
        if samples.count >= 16_000 {
            // Before the change, and after the digits (which replace the audio while they last).
            let before = samples[2000..<6000], after = samples[(samples.count - 2800)..<(samples.count - 400)]
            #expect(FrequencyShare.of(1000, in: before) > 0.8 && FrequencyShare.of(1000, in: after) > 0.8)
        }
        #expect(String(digits.map(\.digit)) == "12" && digits.allSatisfy { $0.durationMilliseconds == 100 }, "\(digits)")
    }

    /// An RTP packet (RFC 3550 §5.1) from a fixed source carrying `payload`.
    static func rtp(_ payload: some Sequence<UInt8>, payloadType: UInt8, sequence k: Int, timestamp ts: UInt32) -> [UInt8] {
        [0x80, payloadType, UInt8((k >> 8) & 0xFF), UInt8(k & 0xFF),
         UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF), 0x12, 0x34, 0x56, 0x78] + payload
    }

    /// Drives a started `stream` by hand on its event loop, its clock taken off: packet k
    /// (nil: lost on the way) arrives when its `milliseconds` start, and one tick is played
    /// every 20 ms, `extraTicks` beyond the last packet. Returns the jitter buffer's counts of
    /// late and concealed, so a check of what was played does not depend on how busy the
    /// machine is.
    static func drive(_ stream: RTPAudioStream, _ packets: [[UInt8]?], milliseconds: Int, extraTicks: Int = 8) async throws -> (late: Int, concealed: Int) {
        let source = DatagramPeer(try SocketAddress(ipAddress: "127.0.0.1", port: 9))
        let ticks = packets.count * milliseconds / 20 + extraTicks
        return try await stream.eventLoop.submit { () -> (Int, Int) in
            MediaClock.of(stream.eventLoop).remove(stream)
            let start = DatagramBatch.realtimeNanoseconds()
            var next = 0
            for tick in 0..<ticks {
                while next < packets.count, next * milliseconds < (tick + 1) * 20 {
                    packets[next]?.withUnsafeBytes { stream.receive($0, from: source, arrival: start + Int64(next * milliseconds) * 1_000_000) }
                    next += 1
                }
                stream.playFrame()
            }
            return (stream.playoutBuffer.lateDropped, stream.playoutBuffer.concealed)
        }.get()
    }

    /// Peers that packetize other than 20 ms (a trunk's 30 ms G.711, 60 ms Opus, 10 ms):
    /// every packet is played at its place, nothing is dropped as late, and the recording is
    /// the tone without holes. The stream's receive and playout are driven here tick by tick
    /// on its event loop (taken off its clock), each packet arriving on time, so the check
    /// does not depend on how busy the machine is.
    @Test(arguments: [(false, 30), (true, 60), (false, 10)])
    func packetsLongerOrShorterThanAFramePlayWhole(opus: Bool, milliseconds: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stream = try RTPAudioStream.bind(host: "127.0.0.1", ports: RTPPortAllocator(range: 30_000...39_999), group: group)
        let rate = opus ? 16000 : 8000, clock = opus ? 48000 : 8000
        let heard = AudioRecorder(sampleRate: rate)
        try stream.start(RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: 9, payloadType: opus ? 111 : 0,
                                             encoding: opus ? .opus : .pcmu, timeout: 0, rtcpInterval: 0), source: nil, sink: heard)
        let tone = ResamplerTests.tone(rate: rate, seconds: 1.5, hz: 1000)
        let samplesPerPacket = rate * milliseconds / 1000
        let encoder = try OpusEncoder(sampleRate: 16000)
        let packets: [[UInt8]?] = try (0..<(tone.count / samplesPerPacket)).map { k in
            let chunk = tone[(k * samplesPerPacket)..<((k + 1) * samplesPerPacket)]
            var payload = [UInt8](repeating: 0, count: 1500)
            let n: Int
            if opus {
                n = try chunk.withUnsafeBufferPointer { s in try payload.withUnsafeMutableBytes { try encoder.encode(s, into: $0) } }
            } else {
                chunk.withUnsafeBufferPointer { s in payload.withUnsafeMutableBufferPointer { G711.encode(s, law: .muLaw, into: $0) } }
                n = samplesPerPacket
            }
            return Self.rtp(payload.prefix(n), payloadType: opus ? 111 : 0, sequence: k, timestamp: UInt32(k * samplesPerPacket * clock / rate))
        }
        let sent = packets.count * samplesPerPacket
        let (late, concealed) = try await Self.drive(stream, packets, milliseconds: milliseconds)
        let (statistics, _) = try await stream.stop()
        try await group.shutdownGracefully()
        let got = heard.samples
        // Nothing late, and nothing concealed but the ticks after the last packet.
        #expect(statistics.packetsDropped == 0 && late == 0 && concealed <= 3, "\(late) late, \(concealed) concealed, \(statistics)")
        // What was sent, then up to three frames concealed after the last packet.
        #expect(got.count >= sent && got.count <= sent + 3 * rate / 50, "\(got.count) samples for \(sent) sent")
        // No hole anywhere: every 10 ms holds the tone.
        let step = rate / 100
        let holes = stride(from: step, to: sent - step, by: step).filter { i in
            FrequencyShare.of(1000, in: got[i..<min(got.count, i + step)], sampleRate: rate) < 0.5
        }
        #expect(holes.isEmpty, "10 ms stretches without the tone at \(holes.prefix(8)) of \(got.count)")
    }

    /// Opus packets lost on the way (gaps in the sequence): the stream rebuilds each from the
    /// FEC copy in the packet after it, so the recording there is close to what was sent,
    /// not an extrapolation.
    @Test func aLostOpusPacketIsRebuiltFromTheNextOnesFEC() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stream = try RTPAudioStream.bind(host: "127.0.0.1", ports: RTPPortAllocator(range: 30_000...39_999), group: group)
        let heard = AudioRecorder(sampleRate: 16000)
        try stream.start(RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: 9, payloadType: 111, encoding: .opus, timeout: 0, rtcpInterval: 0),
                         source: nil, sink: heard)
        let packets = try OpusTests.speechPackets()
        let lost = Set(stride(from: 22, to: 95, by: 6))
        let sent = packets.enumerated().map { k, payload in
            lost.contains(k) ? nil : Self.rtp(payload, payloadType: 111, sequence: k, timestamp: UInt32(k * 960))
        }
        _ = try await Self.drive(stream, sent, milliseconds: 20)
        _ = try await stream.stop()
        try await group.shutdownGracefully()
        // What a decoder that lost nothing makes of the packets.
        let decoder = try OpusDecoder(sampleRate: 16000)
        var clean: [Int16] = [], out = [Int16](repeating: 0, count: 320)
        for packet in packets {
            let n = packet.withUnsafeBytes { p in out.withUnsafeMutableBufferPointer { decoder.decode(p, into: $0) } }
            clean += out.prefix(n)
        }
        let got = heard.samples
        #expect(got.count >= clean.count, "\(got.count) of \(clean.count)")
        guard got.count >= clean.count else { return }
        var snrs: [Double] = []
        for k in lost.sorted() where clean[(k * 320)..<((k + 1) * 320)].contains(where: { abs(Int($0)) > 1000 }) {
            let range = (k * 320)..<((k + 1) * 320)
            let signal = range.map { Double(clean[$0]) * Double(clean[$0]) }.reduce(0, +)
            let noise = range.map { Double(clean[$0] - got[$0]) * Double(clean[$0] - got[$0]) }.reduce(0, +)
            snrs.append(10 * log10(signal / max(noise, 1)))
        }
        let mean = snrs.reduce(0, +) / Double(max(1, snrs.count))
        // Concealment alone measures about 0.5 dB here (OpusTests); FEC several dB.
        #expect(snrs.count >= 4 && mean > 3, "SNR of the rebuilt packets \(snrs)")
    }

    @Test func allocatorGivesEvenPortsInRangeRoundRobin() {
        let ports = RTPPortAllocator(range: 20_001...20_010)
        let got = (0..<10).map { _ in ports.candidate() }
        #expect(got.allSatisfy { $0 % 2 == 0 && (20_002...20_008).contains($0) }, "\(got)")
        #expect(Set(got.prefix(4)).count == 4, "four pairs fit and each is used before any repeats: \(got)")
        #expect(ports.pairCount == 4)
    }
}
