import Foundation
@testable import Media

/// Generated 8 kHz audio for the answering-machine detector's tests: silence, tones, line
/// noise and espeak-ng speech, put end to end.
struct AMDAudio {
    var samples: [Int16] = []
    /// Where each piece of speech ends, in ms (its last sample louder than -50 dB).
    var speechEnds: [Int] = []

    var durationMs: Int { samples.count / 8 }

    /// One piece of a scripted greeting.
    enum Part {
        case silence(Int)
        case speech(String)
        case tone(Double, Int)
    }

    /// The pieces end to end.
    init(_ parts: [Part]) throws {
        for part in parts {
            switch part {
            case .silence(let ms): silence(ms)
            case .speech(let text): try speech(text)
            case .tone(let frequency, let ms): tone(frequency, ms)
            }
        }
    }

    init() {}

    static let synthesizer = SpeechSynthesizer(cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-amd-tts"))

    mutating func silence(_ ms: Int) {
        samples += [Int16](repeating: 0, count: ms * 8)
    }

    /// A sine at `level` dB below a full-scale square wave (a second one added when given).
    mutating func tone(_ frequency: Double, _ ms: Int, level: Double = -18, and second: Double? = nil) {
        let amplitude = 32768 * (2 * pow(10, level / 10)).squareRoot() / (second == nil ? 1 : 2)
        let start = samples.count
        for n in 0..<(ms * 8) {
            let t = Double(start + n) / 8000
            var x = sin(2 * .pi * frequency * t)
            if let second { x += sin(2 * .pi * second * t) }
            samples.append(Int16(clamping: Int((amplitude * x).rounded())))
        }
    }

    mutating func speech(_ text: String, voice: String = "en-us", rate: Int = 160, pitch: Int = 50) throws {
        let said = try Self.synthesizer.audio(for: SpeechRequest(text: text, voice: voice, rate: rate, pitch: pitch), sampleRate: 8000).samples
        let loud = Int16(32768 * (2 * pow(10, -50.0 / 10)).squareRoot())
        let last = said.lastIndex { abs(Int($0)) > loud } ?? 0
        speechEnds.append((samples.count + last) / 8)
        samples += said[...last]
    }

    /// White noise at `level` dB added over everything (deterministic).
    mutating func noise(level: Double, seed: UInt64 = 7) {
        var state = seed
        let amplitude = 32768 * pow(10, level / 20) * 3.0.squareRoot()
        for i in samples.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let uniform = Double(state >> 11) / Double(1 << 53) * 2 - 1
            samples[i] = Int16(clamping: Int(samples[i]) + Int((uniform * amplitude).rounded()))
        }
    }

    /// Every event and the final verdict, the audio fed 20 ms at a time.
    func judge(_ settings: AMDSettings = AMDSettings()) -> (result: AMDResult, events: [AMDEvent]) {
        let detector = AnsweringMachineDetector(settings: settings)
        var events: [AMDEvent] = []
        samples.withUnsafeBufferPointer { all in
            var i = 0
            while i + 160 <= all.count {
                events += detector.feed(UnsafeBufferPointer(rebasing: all[i..<(i + 160)]))
                i += 160
            }
        }
        return (detector.finish(), events)
    }
}

extension [AMDEvent] {
    var firstVerdict: AMDResult? {
        for event in self { if case .verdict(let result) = event { return result } }
        return nil
    }

    var beeps: [AMDBeep] {
        compactMap { if case .beep(let beep) = $0 { beep } else { nil } }
    }

    var revisions: [AMDResult] {
        compactMap { if case .revised(let result) = $0 { result } else { nil } }
    }
}
