import Foundation
import Media

/// What a telephone line does to audio on its way, for generated greetings: noise at a
/// signal-to-noise ratio, the 300-3,400 Hz channel, a G.711 round trip, lost packets.
enum LineImpairments {
    /// The level (dB below full scale) of the audio's speech-like part: frames above -50 dB.
    static func activeLevel(_ samples: [Int16]) -> Double {
        var sum = 0.0, count = 0
        var start = 0
        while start + 160 <= samples.count {
            var energy = 0.0
            for x in samples[start..<(start + 160)] { energy += Double(x) * Double(x) }
            let level = 10 * log10(max(energy / 160, 1e-3) / (32768.0 * 32768.0))
            if level > -50 { sum += energy / 160; count += 1 }
            start += 160
        }
        return count == 0 ? -120 : 10 * log10(sum / Double(count) / (32768.0 * 32768.0))
    }

    /// Scales `samples` so their active level is `level`.
    static func normalize(_ samples: inout [Int16], to level: Double) {
        let current = activeLevel(samples)
        guard current > -120 else { return }
        let gain = pow(10, (level - current) / 20)
        for i in samples.indices { samples[i] = Int16(clamping: Int((Double(samples[i]) * gain).rounded())) }
    }

    /// Adds white noise `snr` dB below `speechLevel`.
    static func addNoise(_ samples: inout [Int16], speechLevel: Double, snr: Double, random: inout SeededRandom) {
        // A uniform variable on ±a has power a²/3; the level is relative to full-scale power.
        let amplitude = 32768 * pow(10, (speechLevel - snr) / 20) * 3.0.squareRoot()
        for i in samples.indices {
            let uniform = Double.random(in: -1...1, using: &random)
            samples[i] = Int16(clamping: Int(samples[i]) + Int((uniform * amplitude).rounded()))
        }
    }

    /// A second-order section (RBJ's cookbook), run over the samples in place.
    private static func biquad(_ samples: inout [Double], b: (Double, Double, Double), a: (Double, Double)) {
        var (x1, x2, y1, y2) = (0.0, 0.0, 0.0, 0.0)
        for i in samples.indices {
            let x = samples[i]
            let y = b.0 * x + b.1 * x1 + b.2 * x2 - a.0 * y1 - a.1 * y2
            (x2, x1, y2, y1) = (x1, x, y1, y)
            samples[i] = y
        }
    }

    /// The telephone channel: Butterworth high-pass at 300 Hz and low-pass at 3,400 Hz.
    static func bandLimit(_ samples: inout [Int16], sampleRate: Double = 8000) {
        var signal = samples.map(Double.init)
        for (frequency, highPass) in [(300.0, true), (3400.0, false)] {
            let w = 2 * Double.pi * frequency / sampleRate
            let alpha = sin(w) / (2 * 0.7071)
            let a0 = 1 + alpha
            let b: (Double, Double, Double) = highPass ? ((1 + cos(w)) / 2, -(1 + cos(w)), (1 + cos(w)) / 2)
                                                       : ((1 - cos(w)) / 2, 1 - cos(w), (1 - cos(w)) / 2)
            biquad(&signal, b: (b.0 / a0, b.1 / a0, b.2 / a0), a: (-2 * cos(w) / a0, (1 - alpha) / a0))
        }
        for i in samples.indices { samples[i] = Int16(clamping: Int(signal[i].rounded())) }
    }

    /// Encodes with G.711 (`mu` or `a`) and decodes again.
    static func g711RoundTrip(_ samples: inout [Int16], law: String) {
        for i in samples.indices {
            samples[i] = law == "a" ? G711.linear(fromALaw: G711.aLaw(fromLinear: samples[i]))
                                    : G711.linear(fromMuLaw: G711.muLaw(fromLinear: samples[i]))
        }
    }

    /// Silences each 20 ms frame with probability `share`.
    static func loseFrames(_ samples: inout [Int16], share: Double, random: inout SeededRandom) {
        guard share > 0 else { return }
        var start = 0
        while start < samples.count {
            if Double.random(in: 0..<1, using: &random) < share {
                for i in start..<min(start + 160, samples.count) { samples[i] = 0 }
            }
            start += 160
        }
    }
}
