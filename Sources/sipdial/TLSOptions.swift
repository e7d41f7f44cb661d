import ArgumentParser
import SIPTransport

/// Certificates and trust for SIP over TLS, shared by every command that speaks SIP.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM certificate chain a tls: listener presents (and, with --tls-client-cert, outbound TLS connections).")
    var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?
    @Option(help: "PEM CA certificate trusted for outbound TLS besides the system's store (repeatable).")
    var tlsCa: [String] = []
    @Flag(help: "Present --tls-cert to the servers sipdial connects to over TLS (mutual TLS).")
    var tlsClientCert = false
    @Flag(help: "tls: listeners ask for the client's certificate and refuse a client without one the system's store or --tls-ca trusts (mutual TLS).")
    var tlsRequireClientCert = false

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsClientCert, tlsCert == nil { throw ValidationError("--tls-client-cert needs --tls-cert and --tls-key") }
    }

    var settings: SIPTLSSettings {
        var settings = SIPTLSSettings()
        (settings.certificateFile, settings.privateKeyFile, settings.caFiles) = (tlsCert, tlsKey, tlsCa)
        (settings.presentClientCertificate, settings.requireClientCertificate) = (tlsClientCert, tlsRequireClientCert)
        return settings
    }
}
