import Foundation
import Logging
import NIOCore
import NIOSSL

/// Says why a TLS connection failed (RFC 3261 §26): the handshake's error in words —
/// an unknown CA, an expired certificate, a certificate that does not name the host — with
/// the peer, then lets the connection close. The transaction that waited on it fails over
/// or times out as for any transport error.
final class TLSFailureLogger: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let certificate = (try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self))?.peerCertificate
        if let reason = Self.reason(error, peer: certificate, now: time(nil)) {
            logger.warning("TLS connection failed", metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")", "reason": "\(reason)"])
        }
        context.fireErrorCaught(error)
    }

    /// The failure in words, or nil when the error is not TLS's. A chain that did not verify
    /// is told apart by the far end's certificate, when it came: expired, not yet valid, or
    /// (its dates being right) signed by a CA this side does not trust.
    static func reason(_ error: Error, peer: NIOSSLCertificate?, now: time_t) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the certificate does not name this host (\(extra))"
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        guard case .handshakeFailed(let inner) = ssl else { return "\(ssl)" }
        let text = "\(inner)"
        guard text.contains("CERTIFICATE_VERIFY_FAILED") else { return "handshake failed: \(text)" }
        guard let peer else { return "the certificate was not verified: \(text)" }
        if peer.notValidAfter < now { return "the certificate expired on \(Self.date(peer.notValidAfter))" }
        if peer.notValidBefore > now { return "the certificate is not valid before \(Self.date(peer.notValidBefore))" }
        return "the certificate is not signed by a trusted CA (unknown CA; --tls-ca adds one)"
    }

    private static func date(_ t: time_t) -> String {
        var value = t
        var parts = tm()
        gmtime_r(&value, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
