import NIOCore
import SIPCore
@testable import SIPTransport
import Testing

/// How a URI selects TLS (RFC 3261 §26.2, RFC 5630 §3.3): a `sips:` URI or
/// `transport=tls`, port 5061 when none is given, SRV `_sips._tcp`; and the words a failed
/// handshake is logged with.
struct TLSTargetTests {
    @Test func sipsAndTransportTLSSelectTLSOnPort5061() throws {
        let sips = try SIPURI(parsing: "sips:alice@192.0.2.1")
        #expect(SIPTargetResolver.transport(for: sips) == .tls)
        #expect(SIPTargetResolver.numericDestination(sips)?.address.port == 5061)
        let tls = try SIPURI(parsing: "sip:alice@192.0.2.1;transport=TLS")
        #expect(SIPTargetResolver.numericDestination(tls) == SIPDestination(address: try SocketAddress(ipAddress: "192.0.2.1", port: 5061), transport: .tls))
        let tcp = try SIPURI(parsing: "sips:alice@192.0.2.1;transport=tcp")
        #expect(SIPTargetResolver.transport(for: tcp) == .tcp, "an explicit transport parameter wins")
        #expect(SIPTargetResolver.numericDestination(try SIPURI(parsing: "sip:alice@192.0.2.1"))?.address.port == 5060)
        #expect(SIPTargetResolver.service(.tls, host: "example.com") == "_sips._tcp.example.com")
        #expect(SIPTargetResolver.service(.tcp, host: "example.com") == "_sip._tcp.example.com")
        #expect(SIPTransportType(uriParameter: "tls") == .tls && SIPTransportType.tls.isReliable && SIPTransportType.tls.rawValue == "TLS")
    }

    @Test func tlsSettingsNameTheFileThatCannotBeRead() {
        var settings = SIPTLSSettings()
        (settings.certificateFile, settings.privateKeyFile) = ("/nonexistent/server.crt", "/nonexistent/server.key")
        #expect { try settings.serverContext() } throws: { "\($0)".contains("/nonexistent/server.crt") }
        #expect { try SIPTLSSettings().serverContext() } throws: { ($0 as? SIPTLSError) == .noCertificate }
        settings.caFiles = ["/nonexistent/ca.crt"]
        #expect { try settings.clientContext() } throws: { "\($0)".contains("/nonexistent/ca.crt") }
    }
}
