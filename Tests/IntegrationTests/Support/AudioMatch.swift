import Foundation

/// Finding one recording's audio in another: what the integration tests use to show that
/// audio crossed a call or a bridge intact.
enum AudioMatch {
    /// Where `segment` best matches inside `source`, searching start offsets within `within`
    /// samples of `near`: the normalized cross-correlation and the offset in `source` where
    /// the segment starts.
    static func locate(_ segment: ArraySlice<Int16>, in source: [Int16], near: Int, within: Int = 4000) -> (correlation: Double, offset: Int) {
        let s = segment.map(Float.init), x = source.map(Float.init)
        let first = max(0, near - within), last = min(x.count - s.count, near + within)
        guard s.count > 0, first <= last else { return (0, 0) }
        let segmentEnergy = s.reduce(0) { $0 + $1 * $1 }
        var best = (correlation: -1.0, offset: 0)
        s.withUnsafeBufferPointer { sp in
            x.withUnsafeBufferPointer { xp in
                for offset in first...last {
                    var dot: Float = 0, windowEnergy: Float = 0
                    for i in 0..<sp.count { windowEnergy += xp[offset + i] * xp[offset + i] }
                    for i in 0..<sp.count { dot += sp[i] * xp[offset + i] }
                    let norm = (Double(segmentEnergy) * Double(max(windowEnergy, 1))).squareRoot()
                    let c = norm > 0 ? Double(dot) / norm : 0
                    if c > best.correlation { best = (c, offset) }
                }
            }
        }
        return best
    }

    /// A linear sweep from 300 to 3,000 Hz: audio that matches itself at one offset only.
    static func chirp(seconds: Double, rate: Int = 8000) -> [Int16] {
        let n = Int(seconds * Double(rate))
        return (0..<n).map { i in
            let t = Double(i) / Double(rate)
            let phase = 2 * Double.pi * (300 * t + (2700 / (2 * seconds)) * t * t)
            return Int16(8000 * sin(phase))
        }
    }

    /// A steady tone of `hz` at `rate`.
    static func tone(hz: Double, seconds: Double, rate: Int) -> [Int16] {
        (0..<Int(seconds * Double(rate))).map { Int16(8000 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
    }
}
