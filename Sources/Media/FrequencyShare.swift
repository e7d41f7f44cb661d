import Foundation

/// How much of a block of audio's energy lies at one frequency (the Goertzel algorithm):
/// enough to tell a tone from speech, as tests of generated tones and beep detection need.
public enum FrequencyShare {
    /// The fraction (0 to 1) of the energy of `samples` (at `sampleRate`) at `frequency` Hz;
    /// a pure tone at that frequency gives about 1.
    public static func of(_ frequency: Double, in samples: ArraySlice<Int16>, sampleRate: Int = AudioFormat.sampleRate) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var s1 = 0.0, s2 = 0.0, total = 0.0
        for x in samples {
            let s = Double(x) + coefficient * s1 - s2
            s2 = s1
            s1 = s
            total += Double(x) * Double(x)
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return total == 0 ? 0 : 2 * power / (Double(samples.count) * total)
    }
}
