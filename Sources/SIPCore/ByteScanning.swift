/// Word-at-a-time byte scans (16 or 8 bytes per step) for the parser's hot loops.
enum ByteScanning {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first `byte` in `buf[from...]`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buf: UnsafeRawBufferPointer, from: Int) -> Int? {
        var seen: UInt8 = 0
        return firstIndex(of: byte, in: buf, from: from, seen: &seen)
    }

    /// `firstIndex`, also OR-ing into `seen` every byte it reads (at least those from `from`
    /// up to the match): how the parser learns a header line is ASCII without another pass.
    /// Sixteen bytes per step; the last fifteen bytes of the buffer eight, then one at a time.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buf: UnsafeRawBufferPointer, from: Int, seen: inout UInt8) -> Int? {
        var j = from
        let n = buf.count
        let wide = SIMD16<UInt8>(repeating: byte)
        var wideSeen = SIMD16<UInt8>(repeating: 0)
        while j + 16 <= n {
            let v = buf.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self)
            wideSeen |= v
            // The comparison's lanes as two words (`any` is not always a single instruction);
            // a matching lane is all ones, so the lowest set bit's byte is the match.
            let matches = unsafeBitCast(v .== wide, to: (UInt64, UInt64).self)
            if matches.0 | matches.1 != 0 {
                let halves = unsafeBitCast(wideSeen, to: (UInt64, UInt64).self)
                seen |= (halves.0 | halves.1) & highs == 0 ? 0 : 0x80
                let lane = matches.0 != 0 ? matches.0.trailingZeroBitCount / 8 : 8 + matches.1.trailingZeroBitCount / 8
                return j + lane
            }
            j += 16
        }
        let halves = unsafeBitCast(wideSeen, to: (UInt64, UInt64).self)
        var acc = halves.0 | halves.1
        let pattern = ones &* UInt64(byte)
        while j + 8 <= n {
            let word = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            acc |= word
            let x = word ^ pattern
            // A zero byte in x marks a match; the lowest flagged byte is exact.
            let found = (x &- ones) & ~x & highs
            if found != 0 {
                seen |= acc & highs == 0 ? 0 : 0x80
                return j + found.trailingZeroBitCount / 8
            }
            j += 8
        }
        while j < n {
            acc |= UInt64(buf[j])
            if buf[j] == byte {
                seen |= acc & highs == 0 ? 0 : 0x80
                return j
            }
            j += 1
        }
        seen |= acc & highs == 0 ? 0 : 0x80
        return nil
    }

    /// The eight bytes of `word` with ASCII 'A'-'Z' lower-cased and every other byte kept.
    @inline(__always)
    static func lowercased(_ word: UInt64) -> UInt64 {
        let low7 = word & ~highs
        let atLeastA = low7 &+ ones &* (0x80 - 0x41)    // high bit set where byte >= 'A'
        let aboveZ = low7 &+ ones &* (0x80 - 0x5B)      // high bit set where byte > 'Z'
        let upper = atLeastA & ~aboveZ & ~word & highs  // ASCII only: the byte's own high bit clear
        return word | (upper >> 2)
    }
}
