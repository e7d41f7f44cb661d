import Foundation
import Media
import Testing

struct OpusTests {
    /// A 440 Hz tone through encoder and decoder keeps its pitch and most of its level, and a
    /// lost packet is concealed rather than left silent.
    @Test func toneSurvivesAndLossIsConcealed() throws {
        let encoder = try OpusEncoder(), decoder = try OpusDecoder()
        var decoded: [Int16] = []
        var packet = [UInt8](repeating: 0, count: 400)
        var out = [Int16](repeating: 0, count: 960)
        for f in 0..<50 {
            let frame = (0..<160).map { Int16(8000 * sin(2 * Double.pi * 440 * Double(f * 160 + $0) / 8000)) }
            let n = try frame.withUnsafeBufferPointer { s in try packet.withUnsafeMutableBytes { try encoder.encode(s, into: $0) } }
            #expect(n > 0 && n < 160)
            let lost = f == 30
            let samples = packet.withUnsafeBytes { p in
                out.withUnsafeMutableBufferPointer { decoder.decode(lost ? UnsafeRawBufferPointer(start: nil, count: 0) : UnsafeRawBufferPointer(rebasing: p[..<n]), into: $0) }
            }
            #expect(samples == 160, "frame \(f)")
            decoded += out.prefix(samples)
        }
        var crossings = 0
        for i in 4000..<7999 where decoded[i - 1] < 0 && decoded[i] >= 0 { crossings += 1 }
        #expect(abs(crossings - 220) <= 3, "440 Hz over 0.5 s: \(crossings) crossings")
        let concealed = decoded[(30 * 160)..<(31 * 160)].map { abs(Int($0)) }.max() ?? 0
        #expect(concealed > 1000, "the lost frame is filled in (peak \(concealed))")
    }
}
