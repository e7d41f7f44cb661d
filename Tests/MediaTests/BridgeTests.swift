import Foundation
import Media
import Testing

/// The ports a bridge is made of: pipes, the bridge itself, the two-channel recorder, and
/// the tone generator leg A hears while leg B rings.
struct BridgeTests {
    /// A source of numbered frames: frame n holds the value n in every sample.
    final class Counter: AudioSource {
        var next: Int16 = 1
        func read(into frame: inout [Int16]) -> Bool {
            for i in frame.indices { frame[i] = next }
            next += 1
            return true
        }
    }

    static func frame(_ value: Int16) -> [Int16] { Array(repeating: value, count: AudioFormat.frameSamples) }

    static func write(_ samples: [Int16], to sink: AudioSink, at position: Int = 0) {
        samples.withUnsafeBufferPointer { sink.write($0, at: position) }
    }

    static func read(_ source: AudioSource) -> [Int16] {
        var frame = [Int16](repeating: -1, count: AudioFormat.frameSamples)
        _ = source.read(into: &frame)
        return frame
    }

    @Test func pipeGivesBackWhatWasWrittenThenSilence() {
        let pipe = AudioPipe(frames: 3)
        Self.write(Self.frame(7), to: pipe)
        #expect(Self.read(pipe) == Self.frame(7))
        #expect(Self.read(pipe) == Self.frame(0), "a dry pipe plays silence")
        #expect(pipe.dropped == 0)
    }

    @Test func pipeDropsTheOldestAudioInsteadOfBuildingDelay() {
        let pipe = AudioPipe(frames: 2)
        for value in Int16(1)...4 { Self.write(Self.frame(value), to: pipe) }
        #expect(pipe.dropped == 2 * AudioFormat.frameSamples)
        #expect(Self.read(pipe) == Self.frame(3))
        #expect(Self.read(pipe) == Self.frame(4))
    }

    @Test func pipeHandsOverPartialFramesInOrder() {
        let pipe = AudioPipe(frames: 3)
        Self.write(Array(repeating: 5, count: 100), to: pipe)
        Self.write(Array(repeating: 6, count: 100), to: pipe)
        let first = Self.read(pipe)
        #expect(first == Array(repeating: 5, count: 100) + Array(repeating: 6, count: 60))
        #expect(Self.read(pipe) == Array(repeating: 6, count: 40) + Array(repeating: 0, count: 120))
    }

    @Test func legAHearsTheWaitingSourceUntilConnectedThenLegB() {
        let bridge = AudioBridge(waiting: Counter())
        Self.write(Self.frame(100), to: bridge.legB.sink)
        #expect(Self.read(bridge.legA.source) == Self.frame(1), "before connect: the waiting source")
        bridge.connect()
        #expect(Self.read(bridge.legA.source) == Self.frame(100), "after connect: what leg B received")
    }

    @Test func eachLegSendsWhatTheOtherReceivedAndTheRecordingKeepsBoth() {
        let recording = StereoRecorder()
        let bridge = AudioBridge(recording: recording)
        bridge.connect()
        Self.write(Self.frame(11), to: bridge.legA.sink, at: 0)
        Self.write(Self.frame(22), to: bridge.legB.sink, at: 0)
        #expect(Self.read(bridge.legB.source) == Self.frame(11))
        #expect(Self.read(bridge.legA.source) == Self.frame(22))
        let channels = recording.channels
        #expect(channels.count == 2 && channels[0].count == channels[1].count)
        // Each channel is placed where its first audio arrived (a sample or so apart here).
        #expect(channels[0].filter { $0 == 11 }.count == 160 && channels[0].allSatisfy { $0 == 11 || $0 == 0 })
        #expect(channels[1].filter { $0 == 22 }.count == 160 && channels[1].allSatisfy { $0 == 22 || $0 == 0 })
    }

    @Test func stereoChannelsStartWhereTheirFirstAudioArrived() async throws {
        let recording = StereoRecorder()
        let began = ContinuousClock.now
        Self.write(Self.frame(1), to: recording.left, at: 0)
        try await Task.sleep(for: .milliseconds(100))
        // The right stream's own position 0 arrives at least 100 ms (800 samples) later.
        let slept = (ContinuousClock.now - began).components
        let expected = Int(slept.seconds) * 8000 + Int(slept.attoseconds / 125_000_000_000_000)
        Self.write(Self.frame(2), to: recording.right, at: 0)
        Self.write(Self.frame(3), to: recording.right, at: 160)
        let channels = recording.channels
        let start = channels[1].firstIndex(of: 2) ?? -1
        #expect(start >= 800 && abs(start - expected) <= 160, "right channel starts at \(start), \(expected) samples after the left")
        #expect(channels[1][start + 160] == 3, "later writes follow their stream positions")
        #expect(channels[0].count == channels[1].count && channels[0].prefix(160).allSatisfy { $0 == 1 })
    }

    @Test func recordedSourcePassesAudioThroughAndCopiesIt() {
        let copy = AudioRecorder()
        let source = RecordedSource(Counter(), into: copy)
        #expect(Self.read(source) == Self.frame(1))
        #expect(Self.read(source) == Self.frame(2))
        #expect(copy.samples == Self.frame(1) + Self.frame(2))
    }

    @Test func ringbackHasItsTwoFrequenciesAndCadence() {
        let tone = ToneGenerator(.ringbackNorthAmerica)
        var audio: [Int16] = []
        for _ in 0..<310 { audio += Self.read(tone) }   // 2 s on, 4 s off, then on again
        let on = audio[0..<16_000], off = audio[16_400..<47_600]
        #expect(FrequencyShare.of(440, in: on) > 0.4 && FrequencyShare.of(480, in: on) > 0.4)
        #expect(FrequencyShare.of(620, in: on) < 0.01)
        #expect(off.allSatisfy { $0 == 0 }, "silent between rings")
        #expect(audio[48_000..<48_800].contains { $0 != 0 }, "the cadence repeats")
    }

    @Test func toneStopsAfterItsDuration() {
        let tone = ToneGenerator(Tone(1000), milliseconds: 30)
        var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)
        #expect(tone.read(into: &frame) && frame.contains { $0 != 0 })
        #expect(tone.read(into: &frame) && frame[80...].allSatisfy { $0 == 0 }, "10 ms of the second frame")
        #expect(!tone.read(into: &frame))
    }
}
