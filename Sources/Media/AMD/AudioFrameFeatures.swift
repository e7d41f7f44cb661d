import Foundation

/// What the answering-machine detector measures in one 20 ms frame of 8 kHz audio: its level,
/// and whether it is one pure tone. The tone test fits a second-order linear predictor
/// (covariance method): a single sinusoid is predicted almost exactly by
/// x[n] = 2cos(ω)·x[n-1] − x[n-2], so its prediction gain is high, its pole lies near the
/// unit circle and its frequency is ω; speech, noise and two tones at once (ringback, DTMF)
/// are not. Two tones close together (ringback's 440 + 480 Hz) beat, so the frame's two
/// halves also have to carry the same energy.
struct AudioFrameFeatures {
    /// Mean power in dB relative to a full-scale square wave (digital silence: -120).
    var level: Double
    /// The frequency of the frame's single tone, when it is one.
    var toneFrequency: Double?

    /// The lowest level a tone counts at, and the least prediction gain (dB) and pole radius
    /// of one; halves of a tone frame differ by at most `halvesBalance` dB.
    static let toneFloor = -45.0
    static let minimumPredictionGain = 3.0
    static let minimumPoleRadius = 0.7
    static let halvesBalance = 1.5
    /// The least share of the frame's energy a tone has at its frequency.
    static let minimumShare = 0.6

    init(_ frame: UnsafeBufferPointer<Int16>, sampleRate: Int = 8000) {
        // The covariance method over n = 2..<count: φ(i, j) = Σ x[n-i]·x[n-j]; exact for a
        // sinusoid, where the autocorrelation method is biased at low frequencies.
        var p00 = 0.0, p01 = 0.0, p02 = 0.0, p11 = 0.0, p12 = 0.0, p22 = 0.0, firstHalf = 0.0, energy = 0.0
        let half = frame.count / 2
        for n in 0..<frame.count {
            let x = Double(frame[n])
            energy += x * x
            if n == half - 1 { firstHalf = energy }
            guard n >= 2 else { continue }
            let x1 = Double(frame[n - 1]), x2 = Double(frame[n - 2])
            p00 += x * x
            p01 += x * x1
            p02 += x * x2
            p11 += x1 * x1
            p12 += x1 * x2
            p22 += x2 * x2
        }
        let meanSquare = energy / Double(max(frame.count, 1))
        level = meanSquare < 1e-3 ? -120 : 10 * log10(meanSquare / (32768.0 * 32768.0))
        toneFrequency = Self.tone(level: level, halves: (firstHalf, energy - firstHalf),
                                  covariance: (p00, p01, p02, p11, p12, p22), sampleRate: sampleRate)
        // The predictor's frequency is pulled by noise and a vowel can look like one resonance
        // to it: the tone is where the frame's energy peaks within 60 Hz of that (Goertzel,
        // 20 Hz steps then 10 Hz), and must hold most of the frame's energy there.
        if let estimate = toneFrequency {
            var best = (frequency: estimate, share: Self.share(of: estimate, in: frame, energy: energy, sampleRate: sampleRate))
            for step in [20.0, 10.0] {
                let center = best.frequency
                for offset in stride(from: -3 * step, through: 3 * step, by: step) where offset != 0 && (step == 20 || abs(offset) == 10) {
                    let candidate = center + offset
                    let share = Self.share(of: candidate, in: frame, energy: energy, sampleRate: sampleRate)
                    if share > best.share { best = (candidate, share) }
                }
            }
            toneFrequency = best.share >= Self.minimumShare ? best.frequency : nil
        }
    }

    /// The share of the frame's energy at `frequency` (Goertzel).
    private static func share(of frequency: Double, in frame: UnsafeBufferPointer<Int16>, energy: Double, sampleRate: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var s1 = 0.0, s2 = 0.0
        for x in frame {
            let s = Double(x) + coefficient * s1 - s2
            (s2, s1) = (s1, s)
        }
        return energy == 0 ? 0 : 2 * (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (Double(frame.count) * energy)
    }


    private static func tone(level: Double, halves: (Double, Double),
                             covariance p: (p00: Double, p01: Double, p02: Double, p11: Double, p12: Double, p22: Double),
                             sampleRate: Int) -> Double? {
        guard level >= toneFloor, halves.0 > 0, halves.1 > 0, abs(10 * log10(halves.0 / halves.1)) <= halvesBalance else { return nil }
        // x[n] ≈ a1·x[n-1] + a2·x[n-2]: [p11 p12; p12 p22]·[a1; a2] = [p01; p02].
        let determinant = p.p11 * p.p22 - p.p12 * p.p12
        guard determinant > 0 else { return nil }
        let a1 = (p.p01 * p.p22 - p.p02 * p.p12) / determinant
        let a2 = (p.p11 * p.p02 - p.p12 * p.p01) / determinant
        let residual = p.p00 - a1 * p.p01 - a2 * p.p02
        guard 10 * log10(p.p00 / max(residual, p.p00 * 1e-9)) >= minimumPredictionGain else { return nil }
        // Poles z = r·e^{±iω} with r² = −a2 and 2r·cos ω = a1.
        guard a2 < 0 else { return nil }
        let radius = (-a2).squareRoot()
        guard radius >= minimumPoleRadius else { return nil }
        let cosine = a1 / (2 * radius)
        guard abs(cosine) <= 1 else { return nil }
        return acos(cosine) * Double(sampleRate) / (2 * Double.pi)
    }
}
