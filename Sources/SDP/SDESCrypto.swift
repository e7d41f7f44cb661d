import Foundation

/// One `a=crypto` attribute of SDP Security Descriptions (RFC 4568 §9.1): the keys an
/// SRTP stream is sent with, carried in the SDP itself, so only ever over TLS.
///
/// `a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>][;inline:…] [<session params>]`
///
/// The suites sipdial speaks: AES_CM_128_HMAC_SHA1_80 and _32 (RFC 4568 §6.2, 30 bytes of
/// key and salt) and AEAD_AES_128_GCM (RFC 7714 §12, 28 bytes). An attribute naming another
/// suite still parses (`suite` nil) so that an answer can skip it; a broken one is an error
/// naming what is wrong.
public struct SDESCrypto: Sendable, Equatable {
    public enum Suite: String, Sendable, CaseIterable {
        case aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
        case aesCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
        case aeadAES128GCM = "AEAD_AES_128_GCM"

        /// Master key and master salt, in bytes.
        public var keyLength: Int { 16 }
        public var saltLength: Int { self == .aeadAES128GCM ? 12 : 14 }
    }

    /// One `inline:` key: master key and salt together, with its optional lifetime (packets)
    /// and master key identifier.
    public struct Key: Sendable, Equatable {
        public var material: [UInt8]
        public var lifetime: UInt64?
        public var mki: MKI?

        public init(material: [UInt8], lifetime: UInt64? = nil, mki: MKI? = nil) {
            (self.material, self.lifetime, self.mki) = (material, lifetime, mki)
        }
    }

    public struct MKI: Sendable, Equatable {
        public var value: UInt64
        /// Bytes the MKI takes in each packet (1-128).
        public var length: Int

        public init(value: UInt64, length: Int) {
            (self.value, self.length) = (value, length)
        }
    }

    /// 1 to 9 digits: what an answer names to accept this offer.
    public var tag: Int
    /// The suite's name as written.
    public var suiteName: String
    public var keys: [Key]
    /// Session parameters (`UNENCRYPTED_SRTCP`, `KDR=…` …), kept as written.
    public var sessionParameters: [String]

    /// The suite, when it is one sipdial speaks.
    public var suite: Suite? { Suite(rawValue: suiteName) }

    public init(tag: Int, suite: Suite, keys: [Key], sessionParameters: [String] = []) {
        (self.tag, self.suiteName, self.keys, self.sessionParameters) = (tag, suite.rawValue, keys, sessionParameters)
    }

    /// Reads an attribute's value (what follows `a=crypto:`).
    public init(parsing value: String) throws(SDESCryptoError) {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count >= 3 else { throw .malformed("needs a tag, a suite and key parameters") }
        guard fields[0].count <= 9, fields[0].allSatisfy(\.isASCII), let tag = Int(fields[0]), fields[0].allSatisfy(\.isNumber) else {
            throw .malformed("tag '\(fields[0].prefix(20))' is not 1 to 9 digits")
        }
        let suite = Suite(rawValue: fields[1])
        var keys: [Key] = []
        for parameter in fields[2].split(separator: ";", omittingEmptySubsequences: false) {
            keys.append(try Self.key(String(parameter), suite: suite))
        }
        guard keys.count <= 16 else { throw .malformed("more than 16 keys") }
        (self.tag, self.suiteName, self.keys, self.sessionParameters) = (tag, fields[1], keys, Array(fields[3...]))
    }

    /// The attribute's value, as `init(parsing:)` reads it.
    public var attributeValue: String {
        let keyParameters = keys.map { key in
            var text = "inline:" + Data(key.material).base64EncodedString()
            if let lifetime = key.lifetime { text += "|\(lifetime)" }
            if let mki = key.mki { text += "|\(mki.value):\(mki.length)" }
            return text
        }
        return (["\(tag)", suiteName, keyParameters.joined(separator: ";")] + sessionParameters).joined(separator: " ")
    }

    public var attribute: SDPAttribute { SDPAttribute("crypto", attributeValue) }

    /// The `a=crypto` lines of a media section, in order; those that do not parse are left out.
    public static func all(in media: MediaDescription) -> [SDESCrypto] {
        media.attributes.filter { $0.name.lowercased() == "crypto" }.compactMap { try? SDESCrypto(parsing: $0.value ?? "") }
    }

    /// `inline:<key||salt>[|lifetime][|MKI:length]` (RFC 4568 §9.2).
    private static func key(_ text: String, suite: Suite?) throws(SDESCryptoError) -> Key {
        guard text.lowercased().hasPrefix("inline:") else { throw .malformed("key parameters must start with 'inline:'") }
        let parts = text.dropFirst(7).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), let material = Data(base64Encoded: parts[0]) else {
            throw .malformed("the inline key is not base64")
        }
        if let suite, material.count != suite.keyLength + suite.saltLength {
            throw .malformed("\(suite.rawValue) needs \(suite.keyLength + suite.saltLength) bytes of key and salt, not \(material.count)")
        }
        var key = Key(material: Array(material))
        for part in parts.dropFirst() {
            if let colon = part.firstIndex(of: ":") {
                guard key.mki == nil, let value = UInt64(part[..<colon]), let length = Int(part[part.index(after: colon)...]), (1...128).contains(length) else {
                    throw .malformed("MKI '\(part.prefix(30))' is not VALUE:LENGTH with a length of 1 to 128")
                }
                key.mki = MKI(value: value, length: length)
            } else {
                guard key.lifetime == nil, key.mki == nil, let lifetime = Self.lifetime(part) else {
                    throw .malformed("lifetime '\(part.prefix(30))' is not a number or 2^N")
                }
                key.lifetime = lifetime
            }
        }
        return key
    }

    /// A decimal lifetime or `2^N` (N up to 63).
    private static func lifetime(_ text: String) -> UInt64? {
        if text.hasPrefix("2^") {
            guard let power = Int(text.dropFirst(2)), (0...63).contains(power) else { return nil }
            return UInt64(1) << UInt64(power)
        }
        return UInt64(text)
    }
}

public enum SDESCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "a=crypto: \(why)"
        }
    }
}
