/// Fresh protocol identifiers: branch (RFC 3261 §8.1.1.7), tags (§19.3) and Call-IDs (§8.1.1.4),
/// each with at least 64 random bits as §19.3 asks (cryptographically random on Linux).
public enum SIPIdentifiers {
    public static func branch() -> String { Via.magicCookie + random(16) }
    public static func tag() -> String { random(12) }
    public static func callID() -> String { random(24) }

    static func random(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var rng = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }, as: UTF8.self)
    }
}
