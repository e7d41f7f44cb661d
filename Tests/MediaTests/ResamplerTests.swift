import Foundation
import Media
import Testing

struct ResamplerTests {
    /// A 1 kHz tone at `rate` for `seconds`.
    static func tone(rate: Int, seconds: Double = 1, hz: Double = 1000) -> [Int16] {
        (0..<Int(Double(rate) * seconds)).map { Int16(12000 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
    }

    /// Positive-going zero crossings per second: the tone's frequency.
    static func frequency(_ s: [Int16], rate: Int) -> Double {
        var crossings = 0
        for i in 1..<s.count where s[i - 1] < 0 && s[i] >= 0 { crossings += 1 }
        return Double(crossings) * Double(rate) / Double(s.count)
    }

    @Test(arguments: [16000, 22050, 44100, 48000])
    func downToTheEngineRateKeepsLengthPitchAndLevel(rate: Int) throws {
        let out = try WAVAudio(samples: Self.tone(rate: rate), sampleRate: rate).resampled(to: 8000)
        #expect(out.sampleRate == 8000)
        #expect(abs(out.samples.count - 8000) <= 2, "\(out.samples.count) samples")
        #expect(abs(Self.frequency(out.samples, rate: 8000) - 1000) < 5)
        // The steady part keeps the tone's level within 1 dB (12000 peak → RMS 8485).
        let steady = out.samples[400..<7600].map { Double($0) * Double($0) }
        let rms = (steady.reduce(0, +) / Double(steady.count)).squareRoot()
        #expect(abs(20 * log10(rms / 8485)) < 1, "RMS \(rms)")
    }

    @Test func aToneAboveTheNewNyquistIsFilteredOut() throws {
        let out = try WAVAudio(samples: Self.tone(rate: 48000, hz: 6000), sampleRate: 48000).resampled(to: 8000)
        let energy = out.samples[400..<7600].map { Double($0) * Double($0) }.reduce(0, +) / 7200
        #expect(energy.squareRoot() < 300, "6 kHz must not alias into 8 kHz audio (RMS \(energy.squareRoot()))")
    }
}
