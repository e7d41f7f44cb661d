import Foundation
import Media

/// Renders greetings to 8 kHz audio with espeak-ng, and says where their speech and beep are.
public struct GreetingRenderer: Sendable {
    /// Where a rendered greeting's parts are, in ms from the answer.
    public struct Truth: Sendable, Codable, Equatable {
        /// The end of each phrase's speech.
        public var speechEnds: [Int]
        public var beepStart: Int?
        public var beepEnd: Int?
    }

    public let synthesizer: SpeechSynthesizer
    /// The level speech is brought to (dB below full scale).
    public var speechLevel = -20.0

    public init(synthesizer: SpeechSynthesizer) {
        self.synthesizer = synthesizer
    }

    /// The greeting's audio (with `trailingMs` of the line after it) and where its parts are.
    public func render(_ greeting: Greeting, trailingMs: Int = 4000) throws -> (samples: [Int16], truth: Truth) {
        var random = SeededRandom(seed: greeting.seed)
        var samples = [Int16](repeating: 0, count: greeting.leadingMs * 8)
        var truth = Truth(speechEnds: [])
        switch greeting.kind {
        case .silence:
            break
        case .fax:
            for _ in 0..<3 {
                samples += Self.tone(1100, ms: 500, level: speechLevel + 3)
                samples += [Int16](repeating: 0, count: 3000 * 8)
            }
        case .specialInformation:
            let kinds: [(Double, Int, Double, Int)] = [(913.8, 274, 1370.6, 274), (985.2, 380, 1370.6, 274), (913.8, 274, 1428.5, 380),
                                                       (913.8, 380, 1370.6, 380), (913.8, 380, 1428.5, 274)]
            let (f1, d1, f2, d2) = kinds[Int.random(in: 0..<kinds.count, using: &random)]
            samples += Self.tone(f1, ms: d1, level: speechLevel - 4) + Self.tone(f2, ms: d2, level: speechLevel - 4)
                + Self.tone(1776.7, ms: 380, level: speechLevel - 4) + [Int16](repeating: 0, count: 200 * 8)
            try speak(greeting, into: &samples, truth: &truth)
        default:
            try speak(greeting, into: &samples, truth: &truth)
        }
        if let beep = greeting.beep {
            let lastEnd = truth.speechEnds.last ?? greeting.leadingMs
            samples = Array(samples.prefix(lastEnd * 8))
            samples += [Int16](repeating: 0, count: beep.gapMs * 8)
            truth.beepStart = samples.count / 8
            samples += Self.tone(beep.frequency, ms: beep.ms, level: speechLevel + 2)
            truth.beepEnd = samples.count / 8
        }
        samples += [Int16](repeating: 0, count: trailingMs * 8)
        let line = greeting.line
        if greeting.kind != .silence {
            LineImpairments.addNoise(&samples, speechLevel: speechLevel, snr: line.snr, random: &random)
        } else {
            LineImpairments.addNoise(&samples, speechLevel: speechLevel, snr: line.snr + 10, random: &random)
        }
        if line.bandLimited { LineImpairments.bandLimit(&samples) }
        if let law = line.g711 { LineImpairments.g711RoundTrip(&samples, law: law) }
        LineImpairments.loseFrames(&samples, share: line.loss, random: &random)
        return (samples, truth)
    }

    /// Says the greeting's phrases with their pauses; each phrase's speech is brought to
    /// `speechLevel` and trimmed of espeak-ng's trailing silence.
    private func speak(_ greeting: Greeting, into samples: inout [Int16], truth: inout Truth) throws {
        for (text, pause) in greeting.phrases {
            var said = try synthesizer.audio(for: SpeechRequest(text: text, voice: greeting.voice, rate: greeting.rate, pitch: greeting.pitch),
                                             sampleRate: 8000).samples
            LineImpairments.normalize(&said, to: speechLevel)
            let quiet = Int16(32768 * pow(10, -50.0 / 20))
            let first = said.firstIndex { abs(Int($0)) > quiet } ?? 0
            let last = said.lastIndex { abs(Int($0)) > quiet } ?? 0
            samples += said[first...max(first, last)]
            truth.speechEnds.append(samples.count / 8)
            samples += [Int16](repeating: 0, count: pause * 8)
        }
    }

    /// A sine at `level` dB below full scale.
    static func tone(_ frequency: Double, ms: Int, level: Double) -> [Int16] {
        let amplitude = 32768 * (2 * pow(10, level / 10)).squareRoot()
        return (0..<(ms * 8)).map { Int16(clamping: Int((amplitude * sin(2 * .pi * frequency * Double($0) / 8000)).rounded())) }
    }
}
