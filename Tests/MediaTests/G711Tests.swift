import Foundation
@testable import Media
import Testing

struct G711Tests {
    /// Known code points from ITU-T G.711 tables (and what every implementation agrees on).
    @Test func knownValues() {
        #expect(G711.muLaw(fromLinear: 0) == 0xFF)
        #expect(G711.muLaw(fromLinear: -1) == 0x7F)
        #expect(G711.muLaw(fromLinear: 32767) == 0x80)
        #expect(G711.muLaw(fromLinear: -32768) == 0x00)
        #expect(G711.linear(fromMuLaw: 0x80) == 32124 && G711.linear(fromMuLaw: 0x00) == -32124)
        #expect(G711.linear(fromMuLaw: 0xFF) == 0)
        #expect(G711.aLaw(fromLinear: 0) == 0xD5)
        #expect(G711.aLaw(fromLinear: -8) == 0x55)
        #expect(G711.aLaw(fromLinear: 32767) == 0xAA)
        #expect(G711.aLaw(fromLinear: -32768) == 0x2A)
        #expect(G711.linear(fromALaw: 0xD5) == 8 && G711.linear(fromALaw: 0xAA) == 32256)
    }

    /// A frame encodes through the lookup tables exactly as the recommendation's segment
    /// search encodes each sample, for every 16-bit value.
    @Test func frameEncodingMatchesTheSegmentSearchForEverySample() {
        let samples = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }
        var mu = [UInt8](repeating: 0, count: samples.count), a = mu
        samples.withUnsafeBufferPointer { input in
            mu.withUnsafeMutableBufferPointer { G711.encode(input, law: .muLaw, into: $0) }
            a.withUnsafeMutableBufferPointer { G711.encode(input, law: .aLaw, into: $0) }
        }
        #expect(zip(samples, mu).allSatisfy { G711.muLaw(fromLinear: $0) == $1 })
        #expect(zip(samples, a).allSatisfy { G711.aLaw(fromLinear: $0) == $1 })
    }

    /// Every code decodes to a value that encodes back to the same code (µ-law has two
    /// zeros, 0x7F and 0xFF, which both decode to 0 and encode as 0xFF).
    @Test func everyCodeRoundTrips() {
        for code in 0...255 {
            let b = UInt8(code)
            let mu = G711.muLaw(fromLinear: G711.linear(fromMuLaw: b))
            #expect(mu == b || (b == 0x7F && mu == 0xFF), "µ-law \(code)")
            #expect(G711.aLaw(fromLinear: G711.linear(fromALaw: b)) == b, "A-law \(code)")
        }
    }

    /// Quantization error stays within half a step of each segment: the signal-to-noise
    /// ratio of a full-scale sine is above 35 dB for both laws (G.711 gives about 38 dB).
    @Test func sineSurvivesWithGoodSNR() {
        let samples = (0..<8000).map { Int16(16000 * sin(2 * Double.pi * 1004 * Double($0) / 8000)) }
        for law in [G711.Law.muLaw, .aLaw] {
            var coded = [UInt8](repeating: 0, count: samples.count)
            var back = [Int16](repeating: 0, count: samples.count)
            samples.withUnsafeBufferPointer { s in coded.withUnsafeMutableBufferPointer { G711.encode(s, law: law, into: $0) } }
            coded.withUnsafeBytes { c in back.withUnsafeMutableBufferPointer { G711.decode(c, law: law, into: $0) } }
            var signal = 0.0, noise = 0.0
            for (a, b) in zip(samples, back) {
                signal += Double(a) * Double(a)
                noise += (Double(a) - Double(b)) * (Double(a) - Double(b))
            }
            #expect(10 * log10(signal / noise) > 35, "\(law)")
        }
    }
}
