import NIOCore
import NIOSSL

/// SIP over TLS (RFC 3261 §26, RFC 5630), and the REST API's HTTPS: the certificate a TLS listener presents, the
/// roots outbound connections trust, and the client certificate they may show. Outbound
/// connections verify the far end's certificate chain and that it names the host the URI
/// named (RFC 5922 §7.2: a SubjectAltName DNS entry, or its IP address for a numeric host).
public struct SIPTLSSettings: Sendable, Equatable {
    /// PEM certificate chain, leaf first: what TLS listeners present, and outbound
    /// connections too when `presentClientCertificate` says so.
    public var certificateFile: String?
    /// PEM private key of that certificate.
    public var privateKeyFile: String?
    /// PEM CA certificates trusted besides the system's store.
    public var caFiles: [String] = []
    /// Show `certificateFile` to the servers sipdial connects to (mutual TLS).
    public var presentClientCertificate = false
    /// Listeners ask for, and verify, the client's certificate.
    public var requireClientCertificate = false

    public init() {}

    /// What a TLS server presents (SIP listeners, and the REST API's HTTPS); throws naming
    /// the file that cannot be used.
    public func serverConfiguration() throws -> TLSConfiguration {
        guard let certificateFile, let privateKeyFile else { throw SIPTLSError.noCertificate }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: try chain(certificateFile),
                                                                      privateKey: .privateKey(try key(privateKeyFile)))
        configuration.shutdownTimeout = Self.closeNotifyWait
        if requireClientCertificate {
            // A client's certificate names the client, not a host this side dialed: the
            // chain is checked, not the name.
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = try roots()
        }
        return configuration
    }

    /// The context of TLS listeners.
    func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: serverConfiguration())
    }

    /// The context of outbound TLS connections.
    func clientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = try roots()
        configuration.shutdownTimeout = Self.closeNotifyWait
        if presentClientCertificate, let certificateFile, let privateKeyFile {
            configuration.certificateChain = try chain(certificateFile)
            configuration.privateKey = .privateKey(try key(privateKeyFile))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private func roots() throws -> NIOSSLTrustRoots {
        guard !caFiles.isEmpty else { return .default }
        // The system's store plus the configured CAs.
        var certificates: [NIOSSLCertificate] = []
        for file in caFiles { certificates += try read(file) { try NIOSSLCertificate.fromPEMFile($0) } }
        return .certificates(certificates + ((try? NIOSSLCertificate.fromPEMFile(Self.systemBundle)) ?? []))
    }

    /// How long a closing connection waits for the far end's close_notify (RFC 8446 §6.1
    /// lets the side that closes stop reading at once): baresip sends none, and NIO's 5 s
    /// default held every one-shot command that long after its call.
    static let closeNotifyWait = TimeAmount.milliseconds(300)

    /// Debian's bundle of the system's trusted roots.
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    private func chain(_ file: String) throws -> [NIOSSLCertificateSource] {
        try read(file) { try NIOSSLCertificate.fromPEMFile($0) }.map { .certificate($0) }
    }

    private func key(_ file: String) throws -> NIOSSLPrivateKey {
        try read(file) { try NIOSSLPrivateKey(file: $0, format: .pem) }
    }

    private func read<T>(_ file: String, _ load: (String) throws -> T) throws -> T {
        do { return try load(file) } catch { throw SIPTLSError.unreadable(file: file, reason: "\(error)") }
    }
}

public enum SIPTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A TLS listener needs a certificate and its key.
    case noCertificate
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case .noCertificate: "a TLS listener needs a certificate and its private key (--tls-cert, --tls-key)"
        case .unreadable(let file, let reason): "\(file) is not a usable PEM file: \(reason)"
        }
    }
}
