import Crypto
import SIPCore

/// HTTP Digest as SIP uses it (RFC 3261 §22.4 on RFC 2617, with SHA-256 from RFC 7616 /
/// RFC 8760): reading a challenge and computing the credentials that answer it.
public enum SIPDigest {
    public enum Algorithm: String, Sendable, CaseIterable {
        case md5 = "MD5"
        case md5Sess = "MD5-sess"
        case sha256 = "SHA-256"
        case sha256Sess = "SHA-256-sess"

        /// Preference when a server offers several challenges: SHA-256 first (RFC 8760 §2.4).
        var strength: Int {
            switch self {
            case .sha256, .sha256Sess: 2
            case .md5, .md5Sess: 1
            }
        }

        var isSession: Bool { self == .md5Sess || self == .sha256Sess }

        func hash(_ text: String) -> String {
            let bytes = Array(text.utf8)
            switch self {
            case .md5, .md5Sess: return SIPDigest.hex(Insecure.MD5.hash(data: bytes))
            case .sha256, .sha256Sess: return SIPDigest.hex(SHA256.hash(data: bytes))
            }
        }
    }

    /// Lower-case hex of a digest.
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One Digest challenge from WWW-Authenticate or Proxy-Authenticate.
    public struct Challenge: Sendable, Equatable {
        public var realm: String
        public var nonce: String
        public var opaque: String?
        public var algorithm: Algorithm
        /// The qop values offered; sipdial answers with `auth` when offered (RFC 3261 §22.4).
        public var qop: [String]
        /// The nonce was stale: the credentials were right, retry with the new nonce.
        public var stale: Bool

        /// Reads a Digest challenge; nil for other schemes or unsupported algorithms.
        public init?(_ value: SIPAuthValue) {
            guard value.scheme.caseInsensitiveEquals("Digest"), let realm = value["realm"], let nonce = value["nonce"] else { return nil }
            let name = value["algorithm"] ?? "MD5"
            guard let algorithm = Algorithm.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(name) }) else { return nil }
            self.realm = realm
            self.nonce = nonce
            self.opaque = value["opaque"]
            self.algorithm = algorithm
            self.qop = (value["qop"] ?? "").split(separator: ",").map { String($0.trimmingSIPWhitespace()) }.filter { !$0.isEmpty }
            self.stale = value["stale"]?.caseInsensitiveEquals("true") ?? false
        }
    }

    /// The request-digest (RFC 2617 §3.2.2, RFC 7616 §3.4.1) for `qop=auth` when `cnonce`
    /// is given, or the RFC 2069 form without qop when it is nil.
    public static func response(
        challenge: Challenge, username: String, password: String, method: String, uri: String,
        cnonce: String?, nonceCount: UInt32
    ) -> String {
        let h = challenge.algorithm.hash
        var ha1 = h("\(username):\(challenge.realm):\(password)")
        if challenge.algorithm.isSession, let cnonce {
            ha1 = h("\(ha1):\(challenge.nonce):\(cnonce)")
        }
        let ha2 = h("\(method):\(uri)")
        guard let cnonce else { return h("\(ha1):\(challenge.nonce):\(ha2)") }
        return h("\(ha1):\(challenge.nonce):\(ncString(nonceCount)):\(cnonce):auth:\(ha2)")
    }

    /// The Authorization / Proxy-Authorization value answering `challenge` (RFC 3261 §22.4).
    public static func credentials(
        challenge: Challenge, username: String, password: String, method: SIPMethod, uri: SIPURI,
        cnonce: String, nonceCount: UInt32
    ) -> SIPAuthValue {
        let useQop = challenge.qop.contains { $0.caseInsensitiveEquals("auth") }
        let digestURI = uri.description
        let response = response(challenge: challenge, username: username, password: password, method: method.rawValue,
                                uri: digestURI, cnonce: useQop ? cnonce : nil, nonceCount: nonceCount)
        var params = [
            SIPParameter("username", username.sipQuoted), SIPParameter("realm", challenge.realm.sipQuoted),
            SIPParameter("nonce", challenge.nonce.sipQuoted), SIPParameter("uri", digestURI.sipQuoted),
            SIPParameter("response", response.sipQuoted), SIPParameter("algorithm", challenge.algorithm.rawValue),
        ]
        if useQop {
            params += [SIPParameter("cnonce", cnonce.sipQuoted), SIPParameter("qop", "auth"), SIPParameter("nc", ncString(nonceCount))]
        }
        if let opaque = challenge.opaque { params.append(SIPParameter("opaque", opaque.sipQuoted)) }
        return SIPAuthValue(scheme: "Digest", parameters: params)
    }

    static func ncString(_ n: UInt32) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
