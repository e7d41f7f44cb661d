import Foundation
import Media
import Testing

/// Ports at one rate meeting a stream at another: frames are converted as they pass, keep
/// their pitch and length, and land where they belong.
struct RateConversionTests {
    /// Reads `frames` frames from `source`, each `frameSamples` long, joined.
    static func pull(_ source: AudioSource, frames: Int, frameSamples: Int) -> (audio: [Int16], more: [Bool]) {
        var frame = [Int16](repeating: 0, count: frameSamples)
        var audio: [Int16] = [], more: [Bool] = []
        for _ in 0..<frames {
            more.append(source.read(into: &frame))
            audio += frame
        }
        return (audio, more)
    }

    @Test(arguments: [(8000, 16000), (16000, 8000), (44100, 16000), (8000, 48000)])
    func aSourceReadAtAnotherRateKeepsPitchAndEndsWithIt(from: Int, to: Int) {
        let player = WAVPlayer(WAVAudio(samples: ResamplerTests.tone(rate: from, seconds: 1), sampleRate: from))
        let source = player.adapted(to: to)
        #expect(source.sampleRate == to)
        let (audio, more) = Self.pull(source, frames: 52, frameSamples: to / 50)
        // One second is 50 frames: the 51st has no audio, and the source says so.
        #expect(more.prefix(50).allSatisfy { $0 } && !more[51], "\(more.suffix(4))")
        let steady = Array(audio[(to / 10)..<(to * 9 / 10)])
        #expect(abs(ResamplerTests.frequency(steady, rate: to) - 1000) < 5)
        #expect(FrequencyShare.of(1000, in: steady[...], sampleRate: to) > 0.9)
    }

    @Test func adaptingIsFreeAtTheSameRateAndNeverStacks() {
        let player = WAVPlayer(WAVAudio(samples: [1, 2, 3], sampleRate: 16000))
        #expect(player.adapted(to: 16000) === player)
        let narrow = player.adapted(to: 8000)
        #expect(narrow !== player && narrow.sampleRate == 8000)
        #expect(narrow.adapted(to: 16000) === player, "converting back unwraps instead of stacking two converters")
        let recorder = AudioRecorder(sampleRate: 8000)
        let wide = recorder.adapted(from: 16000)
        #expect(wide.sampleRate == 16000 && wide.adapted(from: 8000) === recorder)
    }

    /// A 16 kHz stream writing into an 8 kHz recorder: contiguous writes stay contiguous
    /// (no gaps from rounding), and a write after lost audio lands at the scaled position.
    @Test func aSinkAtAnotherRateKeepsPositions() {
        let recorder = AudioRecorder(sampleRate: 8000)
        let sink = recorder.adapted(from: 16000)
        let tone = ResamplerTests.tone(rate: 16000, seconds: 1)
        for f in 0..<25 {
            tone[(f * 320)..<((f + 1) * 320)].withUnsafeBufferPointer { sink.write($0, at: f * 320) }
        }
        // Frames 25-29 lost; the rest arrives at its place.
        for f in 30..<50 {
            tone[(f * 320)..<((f + 1) * 320)].withUnsafeBufferPointer { sink.write($0, at: f * 320) }
        }
        let got = recorder.samples
        #expect(abs(got.count - 8000) <= 40, "\(got.count)")
        let first = Array(got[400..<3900]), second = Array(got[5000..<7900])
        #expect(abs(ResamplerTests.frequency(first, rate: 8000) - 1000) < 5)
        #expect(abs(ResamplerTests.frequency(second, rate: 8000) - 1000) < 5)
        // The lost 100 ms (4,000 to 4,800 at 8 kHz) stays silent, give or take the filter's tail.
        #expect(got[4040..<4790].allSatisfy { $0 == 0 }, "the gap is where the loss was")
        #expect(got[4800..<4830].contains { $0 != 0 }, "audio after the loss starts at its own place")
    }

    /// A sink group at the stream's rate feeds each member at its own: a 16 kHz recorder
    /// gets the audio as is, the 8 kHz DTMF detector a converted copy, and still hears digits.
    @Test func aGroupFeedsEachSinkAtItsRate() {
        let recorder = AudioRecorder(sampleRate: 16000)
        let detector = InbandDTMFDetector()
        let group = AudioSinkGroup([recorder, detector], sampleRate: 16000)
        let digits = DTMFToneGenerator(digits: "159#").adapted(to: 16000)
        var frame = [Int16](repeating: 0, count: 320)
        var position = 0
        while digits.read(into: &frame) {
            frame.withUnsafeBufferPointer { group.write($0, at: position) }
            position += 320
        }
        #expect(recorder.samples.count == position)
        #expect(String(detector.digits) == "159#")
    }
}
