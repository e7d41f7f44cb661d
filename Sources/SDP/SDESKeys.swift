/// Whether a call's audio is SRTP (RFC 3711) keyed by SDES (RFC 4568).
///
/// - `off`: plain RTP; an offer of `RTP/SAVP` is refused, `a=crypto` on `RTP/AVP` ignored.
/// - `optional`: offers `RTP/AVP` with `a=crypto` lines (best-effort SRTP: a peer without
///   SRTP answers plain), accepts SRTP or plain offers.
/// - `required`: offers `RTP/SAVP`; a plain answer or offer fails the call (488).
public enum SRTPPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    case off, optional, required
}

/// This side's SDES master keys for one call, one per suite it speaks, in the order it
/// offers them, and whether SRTP is required. The keys come from the system's
/// cryptographically secure generator (getrandom on Linux) and are made per call.
public struct SDESKeys: Sendable, Equatable, CustomStringConvertible {
    public var required: Bool
    /// This side's master key and salt per suite, in preference order.
    public var keys: [(suite: SDESCrypto.Suite, material: [UInt8])]

    /// AES_CM_128_HMAC_SHA1_80 first: every SRTP peer has it (RFC 4568 §6.2 makes it the
    /// default); then AEAD_AES_128_GCM (RFC 7714) and the 32-bit tag.
    public static let preferredSuites: [SDESCrypto.Suite] = [.aesCM128HMACSHA1_80, .aeadAES128GCM, .aesCM128HMACSHA1_32]

    public init(required: Bool, keys: [(suite: SDESCrypto.Suite, material: [UInt8])]) {
        (self.required, self.keys) = (required, keys)
    }

    /// Fresh keys for `policy` (nil for `off`).
    public static func generate(_ policy: SRTPPolicy, suites: [SDESCrypto.Suite] = preferredSuites) -> SDESKeys? {
        guard policy != .off else { return nil }
        var random = SystemRandomNumberGenerator()
        return SDESKeys(required: policy == .required, keys: suites.map { suite in
            (suite, (0..<(suite.keyLength + suite.saltLength)).map { _ in UInt8.random(in: 0...255, using: &random) })
        })
    }

    /// The suites only: keys never reach a log.
    public var description: String { "SDES \(required ? "required" : "optional") \(keys.map(\.suite.rawValue))" }

    /// Fresh keys for the same suites and policy: each call has its own.
    public func renewed() -> SDESKeys {
        SDESKeys.generate(required ? .required : .optional, suites: keys.map(\.suite))!
    }

    public func material(for suite: SDESCrypto.Suite) -> [UInt8]? {
        keys.first { $0.suite == suite }?.material
    }

    /// The offer's `a=crypto` lines, tagged 1, 2, … in preference order.
    var offerAttributes: [SDPAttribute] {
        keys.enumerated().map { index, key in
            SDESCrypto(tag: index + 1, suite: key.suite, keys: [SDESCrypto.Key(material: key.material)]).attribute
        }
    }

    public static func == (a: SDESKeys, b: SDESKeys) -> Bool {
        a.required == b.required && a.keys.map(\.suite) == b.keys.map(\.suite) && a.keys.map(\.material) == b.keys.map(\.material)
    }
}

/// The SRTP a stream agreed to: the suite, the key this side sends with and the key the
/// peer sends with (RFC 4568 §6.1: each direction has its own key).
public struct NegotiatedSRTP: Sendable, Equatable, CustomStringConvertible {
    public var suite: SDESCrypto.Suite
    public var sendKey: [UInt8]
    public var receiveKey: [UInt8]

    public init(suite: SDESCrypto.Suite, sendKey: [UInt8], receiveKey: [UInt8]) {
        (self.suite, self.sendKey, self.receiveKey) = (suite, sendKey, receiveKey)
    }

    /// The suite only: keys never reach a log.
    public var description: String { "SRTP \(suite.rawValue)" }
}

extension MediaDescription {
    /// Whether the profile is secure RTP (`RTP/SAVP`, `RTP/SAVPF`, RFC 3711 §12).
    public var isSecureRTP: Bool { proto.uppercased().hasPrefix("RTP/SAVP") }

    /// The `a=crypto` lines sipdial can use: a suite it speaks, one key without MKI, no
    /// session parameters (RFC 4568 §6.3: an answerer must not pick one it does not
    /// understand), in the offer's order. A tag is unique within a stream (§9.1): a line
    /// repeating an earlier line's tag is left out, so the tag an answer names means the
    /// same line to both sides.
    var usableCrypto: [(crypto: SDESCrypto, suite: SDESCrypto.Suite)] {
        var tags: Set<Int> = []
        return SDESCrypto.all(in: self).compactMap { crypto in
            guard tags.insert(crypto.tag).inserted, let suite = crypto.suite, crypto.keys.count == 1, crypto.keys[0].mki == nil,
                  crypto.sessionParameters.isEmpty else { return nil }
            return (crypto, suite)
        }
    }
}
