/// Fresh protocol identifiers: branch (RFC 3261 §8.1.1.7), tags (§19.3) and Call-IDs (§8.1.1.4),
/// each with at least 60 random bits as §19.3 asks (cryptographically random on Linux).
public enum SIPIdentifiers {
    public static func branch() -> String { Via.magicCookie + random(16) }
    public static func tag() -> String { random(12) }
    public static func callID() -> String { random(24) }

    /// 32 characters: each carries exactly 5 random bits, so one 64-bit draw from the system
    /// generator gives 12 characters (one getrandom call, not one per character).
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func random(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String(unsafeUninitializedCapacity: count) { buffer in
            var bits: UInt64 = 0
            for i in 0..<count {
                if i % 12 == 0 { bits = rng.next() }
                buffer[i] = alphabet[Int(bits & 31)]
                bits >>= 5
            }
            return count
        }
    }
}
