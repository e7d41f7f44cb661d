import Foundation
@testable import Media
import Testing

struct ConcealmentTests {
    /// spandsp's G.711 concealment continues a steady tone through a lost frame instead of
    /// leaving a silent hole (which a listener hears as a click and a gap).
    @Test func g711LossIsFilledWithTheContinuedSignal() throws {
        let codec = try AudioPayloadCodec(.pcmu)
        let tone = (0..<1600).map { Int16(8000 * sin(2 * Double.pi * 400 * Double($0) / 8000)) }
        var out = [Int16](repeating: 0, count: 160)
        var played: [Int16] = []
        for f in 0..<10 {
            let frame = Array(tone[(f * 160)..<((f + 1) * 160)])
            var payload = [UInt8](repeating: 0, count: 160)
            _ = frame.withUnsafeBufferPointer { s in payload.withUnsafeMutableBytes { codec.encode(s, into: $0) } }
            let n = out.withUnsafeMutableBufferPointer { o in
                f == 7 ? codec.conceal(160, into: o) : payload.withUnsafeBytes { codec.decode($0, into: o) }
            }
            #expect(n == 160)
            played += out
        }
        let lost = Array(played[(7 * 160)..<(8 * 160)])
        let original = Array(tone[(7 * 160)..<(8 * 160)])
        let energy = lost.map { Double($0) * Double($0) }.reduce(0, +) / 160
        #expect(energy.squareRoot() > 2000, "not silence (RMS \(energy.squareRoot()))")
        let dot = zip(lost, original).map { Double($0) * Double($1) }.reduce(0, +)
        let norm = (lost.map { Double($0) * Double($0) }.reduce(0, +) * original.map { Double($0) * Double($0) }.reduce(0, +)).squareRoot()
        #expect(dot / norm > 0.5, "the substitute follows the tone (correlation \(dot / norm))")
    }
}

struct PayloadPoolTests {
    @Test func slotsAreReusedAndOversizeOrExhaustionRefused() {
        var pool = PayloadPool(slots: 2)
        let a = [UInt8](repeating: 1, count: 160), b = [UInt8](repeating: 2, count: 20)
        let sa = a.withUnsafeBytes { pool.store($0) }, sb = b.withUnsafeBytes { pool.store($0) }
        #expect(sa != nil && sb != nil)
        #expect(b.withUnsafeBytes { pool.store($0) } == nil, "both slots taken")
        #expect(pool.withBytes(sa!) { Array($0) } == a && pool.withBytes(sb!) { Array($0) } == b)
        pool.release(sa!)
        let again = b.withUnsafeBytes { pool.store($0) }
        #expect(again?.index == sa!.index && pool.withBytes(again!) { Array($0) } == b)
        #expect([UInt8](repeating: 0, count: PayloadPool.slotBytes + 1).withUnsafeBytes { pool.store($0) } == nil, "too large")
    }
}
