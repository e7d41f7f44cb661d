/// A set of ASCII bytes as a 128-bit mask. Sets written as integer literals are static data:
/// a membership test is a shift and a mask, with no table load and no lazily initialised
/// global on the parser's hot path. Bytes of 0x80 and above are never members.
struct ByteSet: Sendable, Equatable {
    /// Members 0x00-0x3F and 0x40-0x7F.
    let low: UInt64
    let high: UInt64

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The set of the given ASCII bytes (how tests check the literal masks).
    init(members: some Sequence<UInt8>) {
        var low: UInt64 = 0, high: UInt64 = 0
        for b in members where b < 0x80 {
            if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
        }
        self.init(low: low, high: high)
    }

    /// Branch-free: the half is picked by a conditional move.
    @inline(__always) func contains(_ b: UInt8) -> Bool {
        let half = b < 64 ? low : high
        return b < 128 && half >> UInt64(b & 63) & 1 != 0
    }

    /// Whether every byte of `bytes` is a member.
    @inline(__always) func containsAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for c in bytes where !contains(c) { return false }
        return true
    }
}
