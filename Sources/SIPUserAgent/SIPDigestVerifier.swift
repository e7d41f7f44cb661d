import Crypto
import SIPCore

/// The server side of SIP digest authentication (RFC 3261 §22.4, RFC 2617 §3.2, RFC 7616,
/// RFC 8760): the challenge to send in WWW-Authenticate and the check of the Authorization
/// that answers it.
///
/// Nonces are stateless: the issue time and an HMAC-SHA256 of it under a per-verifier key,
/// so any nonce this verifier issued is recognised without a table, a forged one is not, and
/// one older than `nonceLifetime` is stale (the client retries with the new nonce without
/// asking its user, RFC 2617 §3.2.1). Nonce counts are not tracked, so a replayed request
/// inside the nonce's lifetime is accepted: enough for a simulator, not for a public service.
public struct SIPDigestVerifier: Sendable {
    public let realm: String
    public let algorithm: SIPDigest.Algorithm
    /// Seconds a nonce stays fresh.
    public var nonceLifetime: Double
    /// The HMAC key of the nonces, drawn at start.
    private let key: [UInt8]

    public init(realm: String, algorithm: SIPDigest.Algorithm = .md5, nonceLifetime: Double = 300) {
        self.realm = realm
        self.algorithm = algorithm
        self.nonceLifetime = nonceLifetime
        var random = SystemRandomNumberGenerator()
        self.key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// A WWW-Authenticate / Proxy-Authenticate value with a nonce issued at `now` (Unix
    /// seconds), qop=auth; `stale` when the credentials were right but the nonce too old.
    public func challenge(now: Double, stale: Bool = false) -> SIPAuthValue {
        var parameters = [
            SIPParameter("realm", realm.sipQuoted), SIPParameter("nonce", nonce(issuedAt: UInt64(max(0, now))).sipQuoted),
            SIPParameter("algorithm", algorithm.rawValue), SIPParameter("qop", "auth".sipQuoted),
        ]
        if stale { parameters.append(SIPParameter("stale", "true")) }
        return SIPAuthValue(scheme: "Digest", parameters: parameters)
    }

    public enum Verdict: Sendable, Equatable {
        /// The credentials prove `username`'s password.
        case accepted(username: String)
        /// Right password, old nonce: challenge again with stale=true.
        case stale
        /// No credentials for this realm: challenge.
        case missing
        /// Credentials that do not prove a known user's password (the reason, for logs).
        case rejected(String)
    }

    /// Checks the credentials of a request with `method` among `credentials` (the
    /// Authorization values): the one for this realm must name a user `password` knows, carry
    /// a nonce this verifier issued, and its response must be the digest of that password.
    public func verify(_ credentials: [SIPAuthValue], method: String, now: Double, password: (String) -> String?) -> Verdict {
        guard let c = credentials.first(where: { $0.scheme.caseInsensitiveEquals("Digest") && $0["realm"] == realm }) else { return .missing }
        guard let username = c["username"], let nonce = c["nonce"], let uri = c["uri"], let response = c["response"] else {
            return .rejected("credentials without username, nonce, uri or response")
        }
        if let name = c["algorithm"], !name.caseInsensitiveEquals(algorithm.rawValue) { return .rejected("algorithm \(name) was not offered") }
        guard let secret = password(username) else { return .rejected("unknown user '\(username)'") }
        guard let issued = issueTime(of: nonce) else { return .rejected("a nonce this server did not issue") }
        let qop = c["qop"]
        if let qop, !qop.caseInsensitiveEquals("auth") { return .rejected("qop \(qop) was not offered") }
        let cnonce = qop == nil ? nil : c["cnonce"]
        let count = c["nc"].flatMap { UInt32($0, radix: 16) }
        if qop != nil, cnonce == nil || count == nil { return .rejected("qop=auth without cnonce or nc") }
        guard let challenge = SIPDigest.Challenge(SIPAuthValue(scheme: "Digest", parameters: [
            SIPParameter("realm", realm.sipQuoted), SIPParameter("nonce", nonce.sipQuoted), SIPParameter("algorithm", algorithm.rawValue),
        ])) else { return .rejected("unreadable challenge") }
        let expected = SIPDigest.response(challenge: challenge, username: username, password: secret, method: method, uri: uri,
                                          cnonce: cnonce, nonceCount: count ?? 0)
        guard expected == response.lowercased() else { return .rejected("wrong password for '\(username)'") }
        return now - Double(issued) > nonceLifetime ? .stale : .accepted(username: username)
    }

    /// `<issue time in hex>.<HMAC of it, 16 bytes hex>`.
    private func nonce(issuedAt time: UInt64) -> String {
        let stamp = String(time, radix: 16)
        return stamp + "." + SIPDigest.hex(HMAC<SHA256>.authenticationCode(for: Array(stamp.utf8), using: SymmetricKey(data: key)).prefix(16))
    }

    private func issueTime(of nonce: String) -> UInt64? {
        guard let dot = nonce.firstIndex(of: "."), let time = UInt64(nonce[..<dot], radix: 16), self.nonce(issuedAt: time) == nonce else { return nil }
        return time
    }
}
