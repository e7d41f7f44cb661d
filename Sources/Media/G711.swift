/// G.711 companding (ITU-T G.711; RFC 3551 §4.5.14 PCMU/PCMA): 16-bit linear PCM to 8-bit
/// µ-law or A-law and back. `muLaw(fromLinear:)` and `aLaw(fromLinear:)` follow the
/// segment search of the recommendation; frames are encoded through a table of every 16-bit
/// sample's code made from them once (64 KiB per law), and decoded through 256-entry tables.
public enum G711 {
    /// µ-law: bias 0x84, clip at 32635, bits inverted on the wire.
    public static func muLaw(fromLinear sample: Int16) -> UInt8 {
        let bias = 0x84, clip = 32635
        var s = Int(sample)
        let sign: Int = s < 0 ? 0x80 : 0
        if s < 0 { s = -s }
        s = min(s, clip) + bias
        var exponent = 7
        var mask = 0x4000
        while exponent > 0, s & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (s >> (exponent + 3)) & 0x0F
        return ~UInt8(sign | exponent << 4 | mantissa)
    }

    public static func linear(fromMuLaw byte: UInt8) -> Int16 { muLawTable[Int(byte)] }

    /// A-law: 13-bit magnitude, even bits inverted (XOR 0x55) on the wire.
    public static func aLaw(fromLinear sample: Int16) -> UInt8 {
        var s = Int(sample) >> 3   // 13-bit
        let sign: Int
        if s >= 0 {
            sign = 0x80
        } else {
            sign = 0
            s = -s - 1
        }
        s = min(s, 0x0FFF)
        var segment = 0
        while segment < 7, s >= (0x20 << segment) { segment += 1 }
        let mantissa = segment == 0 ? (s >> 1) & 0x0F : (s >> segment) & 0x0F
        return UInt8(sign | segment << 4 | mantissa) ^ 0x55
    }

    public static func linear(fromALaw byte: UInt8) -> Int16 { aLawTable[Int(byte)] }

    static let muLawTable: [Int16] = (0...255).map { code in
        let b = ~UInt8(code)
        let exponent = Int(b >> 4) & 0x07
        let mantissa = Int(b & 0x0F)
        let magnitude = ((mantissa << 3) + 0x84) << exponent - 0x84
        return Int16(b & 0x80 != 0 ? -magnitude : magnitude)
    }

    static let aLawTable: [Int16] = (0...255).map { code in
        let b = UInt8(code) ^ 0x55
        let segment = Int(b >> 4) & 0x07
        let mantissa = Int(b & 0x0F)
        let magnitude = segment == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (segment - 1)
        return Int16(b & 0x80 != 0 ? magnitude : -magnitude)
    }

    /// The code of every sample, indexed by its bit pattern.
    static let muLawCodes: [UInt8] = (0...0xFFFF).map { muLaw(fromLinear: Int16(bitPattern: UInt16($0))) }
    static let aLawCodes: [UInt8] = (0...0xFFFF).map { aLaw(fromLinear: Int16(bitPattern: UInt16($0))) }

    /// Encodes a frame of samples into `out` (one byte per sample).
    public static func encode(_ samples: UnsafeBufferPointer<Int16>, law: Law, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(out.count >= samples.count)
        let table = law == .muLaw ? muLawCodes : aLawCodes
        table.withUnsafeBufferPointer { t in
            for i in samples.indices { out[i] = t[Int(UInt16(bitPattern: samples[i]))] }
        }
    }

    /// Decodes bytes into samples.
    public static func decode(_ bytes: UnsafeRawBufferPointer, law: Law, into out: UnsafeMutableBufferPointer<Int16>) {
        precondition(out.count >= bytes.count)
        let table = law == .muLaw ? muLawTable : aLawTable
        table.withUnsafeBufferPointer { t in
            for i in bytes.indices { out[i] = t[Int(bytes[i])] }
        }
    }

    public enum Law: Sendable { case muLaw, aLaw }
}
