/// Word-at-a-time byte scans (8 bytes per step) for the parser's hot loops.
enum ByteScanning {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first `byte` in `buf[from...]`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buf: UnsafeRawBufferPointer, from: Int) -> Int? {
        var j = from
        let n = buf.count
        let pattern = ones &* UInt64(byte)
        while j + 8 <= n {
            let x = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: j, as: UInt64.self)) ^ pattern
            // A zero byte in x marks a match; the lowest flagged byte is exact.
            let found = (x &- ones) & ~x & highs
            if found != 0 { return j + found.trailingZeroBitCount / 8 }
            j += 8
        }
        while j < n {
            if buf[j] == byte { return j }
            j += 1
        }
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

    /// Whether every byte is below 0x80.
    static func isASCII(_ buf: UnsafeRawBufferPointer) -> Bool {
        var j = 0
        var acc: UInt64 = 0
        while j + 8 <= buf.count {
            acc |= buf.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            j += 8
        }
        while j < buf.count {
            acc |= UInt64(buf[j])
            j += 1
        }
        return acc & highs == 0
    }
}
