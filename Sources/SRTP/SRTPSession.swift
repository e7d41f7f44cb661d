import CSRTP
import SDP

/// One direction of an SRTP stream (RFC 3711) through libsrtp2: `outbound` protects the RTP
/// and RTCP packets this side sends, `inbound` checks and decrypts those it receives, with
/// the master key and salt of an SDES `a=crypto` line (RFC 4568) and its suite:
/// AES_CM_128_HMAC_SHA1_80 or _32 (RFC 3711 §4, RFC 4568 §6.2) or AEAD_AES_128_GCM
/// (RFC 7714). Replayed and forged packets are refused. Not thread-safe: one owner, one
/// thread at a time.
public final class SRTPSession {
    public enum Direction: Sendable { case outbound, inbound }

    private var session: srtp_t?
    public let suite: SDESCrypto.Suite

    /// The most a packet grows by when protected (tag and MKI).
    public static let maximumTrailer = Int(SRTP_MAX_TRAILER_LEN)

    public init(suite: SDESCrypto.Suite, key: [UInt8], direction: Direction) throws(SRTPError) {
        guard key.count == suite.keyLength + suite.saltLength else { throw .keyLength(expected: suite.keyLength + suite.saltLength, got: key.count) }
        try Self.initialize()
        self.suite = suite
        var policy = srtp_policy_t()
        switch suite {
        case .aesCM128HMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aesCM128HMACSHA1_32:
            // RFC 4568 §6.2: the 32-bit tag is for SRTP only; SRTCP keeps its 80-bit tag.
            // (libsrtp2 writes AES_CM_128_HMAC_SHA1_80 as its rtp/rtcp defaults.)
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 1024
        policy.allow_repeat_tx = 0
        policy.next = nil
        var material = key
        let status = material.withUnsafeMutableBufferPointer { buffer -> srtp_err_status_t in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status == srtp_err_status_ok else { throw .library(Self.words(status)) }
    }

    deinit {
        if let session { srtp_dealloc(session) }
    }

    /// Encrypts and authenticates an RTP packet in place (it grows by its tag).
    public func protect(_ packet: inout [UInt8]) throws(SRTPError) {
        try run(&packet, grows: true) { srtp_protect($0, $1, $2) }
    }

    /// Checks and decrypts an SRTP packet in place (it shrinks by its tag); a forged,
    /// replayed or garbled packet throws and must be dropped.
    public func unprotect(_ packet: inout [UInt8]) throws(SRTPError) {
        try run(&packet, grows: false) { srtp_unprotect($0, $1, $2) }
    }

    /// As `protect`, for an RTCP compound packet (SRTCP, RFC 3711 §3.4).
    public func protectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try run(&packet, grows: true) { srtp_protect_rtcp($0, $1, $2) }
    }

    /// As `unprotect`, for SRTCP.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try run(&packet, grows: false) { srtp_unprotect_rtcp($0, $1, $2) }
    }

    private func run(_ packet: inout [UInt8], grows: Bool,
                     _ call: (srtp_t, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t) throws(SRTPError) {
        guard let session else { throw .library("no session") }
        // RTP's fixed header is 12 bytes; libsrtp reads past shorter input otherwise.
        guard packet.count >= 12 else { throw .tooShort(packet.count) }
        let original = packet.count
        if grows { packet.append(contentsOf: repeatElement(0, count: Self.maximumTrailer)) }
        var length = Int32(original)
        let status = packet.withUnsafeMutableBytes { call(session, $0.baseAddress!, &length) }
        guard status == srtp_err_status_ok else {
            packet.removeLast(packet.count - original)
            throw Self.error(status)
        }
        packet.removeLast(packet.count - Int(length))
    }

    private static func error(_ status: srtp_err_status_t) -> SRTPError {
        switch status {
        case srtp_err_status_auth_fail: .authenticationFailed
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: .replayed
        default: .library(words(status))
        }
    }

    private static func words(_ status: srtp_err_status_t) -> String { "libsrtp2 status \(status.rawValue)" }

    /// `srtp_init` once per process.
    private static let initialized: Bool = srtp_init() == srtp_err_status_ok

    private static func initialize() throws(SRTPError) {
        guard initialized else { throw .library("srtp_init failed") }
    }
}

public enum SRTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case keyLength(expected: Int, got: Int)
    case tooShort(Int)
    /// The tag does not match: forged, garbled or under another key.
    case authenticationFailed
    /// A packet already received, or too old for the replay window.
    case replayed
    case library(String)

    public var description: String {
        switch self {
        case .keyLength(let expected, let got): "SRTP needs \(expected) bytes of master key and salt, not \(got)"
        case .tooShort(let count): "a \(count)-byte packet is too short for SRTP"
        case .authenticationFailed: "SRTP authentication failed"
        case .replayed: "SRTP packet replayed"
        case .library(let what): "SRTP: \(what)"
        }
    }
}
