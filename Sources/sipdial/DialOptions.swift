import ArgumentParser
import Foundation
import Media
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// The options every command that places calls shares (`call`, `bridge`): who the calls
/// come from, how they reach the far end, and their audio transport.
struct DialOptions: ParsableArguments {
    @Option(help: "From: a URI or a name-addr (\"Acme <sip:acme@example.com>\"). Default: sip:sipdial@<local address>.")
    var from: String?
    @Option(help: "Send the INVITE to this outbound proxy HOST[:PORT] instead of the target's host; repeat it for fallbacks tried in order on a transport error, timeout or 503.")
    var proxy: [String] = []
    @Option(help: "udp, tcp or tls (default: the target's transport parameter, else tls for a sips: URI, else udp). Over tls without --tls-cert, sipdial listens for nothing and the far end's requests come back over the connection it opened.")
    var transport: String?
    @Option(help: "User name for digest authentication.")
    var user: String?
    @Option(help: "Password for digest authentication.")
    var password: String?
    @Option(help: "P-Asserted-Identity to send (RFC 3325), a URI or name-addr.")
    var assertedIdentity: String?
    @Flag(help: "Hide the caller ID: anonymous From and Privacy: id (RFC 3323); the real identity goes in P-Asserted-Identity.")
    var hideCallerID = false
    @Option(help: "Seconds to ring before cancelling.")
    var ringTimeout: Double = 60
    @Option(help: "Local address to listen on (default: the address that routes to the next hop).")
    var localAddress: String?
    @Option(help: "Codec to offer: pcmu, pcma or opus; repeat it for a preference list (default: pcmu then pcma).")
    var codec: [AudioCodec] = []

    /// The rate prompts are prepared at and bridges run at: that of the codec offered first
    /// (16 kHz for Opus, else 8 kHz); a call that negotiates another converts as it plays.
    var audioSampleRate: Int { RTPAudioEncoding(codec.first ?? .pcmu).sampleRate }
    @Option(help: "RTP/RTCP port range LOW-HIGH: RTP on an even port, RTCP on the one above.")
    var rtpPorts: ClosedRange<Int> = 10_000...20_000
    @Option(help: "Hang up when no RTP arrives for this many seconds (0: never).")
    var rtpTimeout: Double = 30
    @Option(help: "SRTP for the audio (RFC 3711, SDES keys RFC 4568): off, optional (offer SRTP, take plain RTP if the far end has none) or required (RTP/SAVP; a far end without SRTP fails the call).")
    var srtp: SRTPPolicy = .off
    @Flag(help: "Allow --srtp over udp or tcp signaling: the keys travel in the SDP, so anyone who sees the SIP can decrypt the audio. Without it SRTP needs tls.")
    var srtpPlainSignaling = false
    @Flag(help: "Print the outcome as one JSON object.")
    var json = false
    @OptionGroup var tls: TLSOptions
    @OptionGroup var trace: SIPTraceOption

    func validate() throws {
        if let transport { guard SIPTransportType(uriParameter: transport) != nil else { throw ValidationError("--transport must be udp, tcp or tls") } }
        if let from { guard (try? SIPAddress(parsing: from)) != nil else { throw ValidationError("--from '\(from)' is not a SIP address") } }
        if let assertedIdentity { guard (try? SIPAddress(parsing: assertedIdentity)) != nil else { throw ValidationError("--asserted-identity '\(assertedIdentity)' is not a SIP address") } }
        for p in proxy { guard HostPort(p) != nil else { throw ValidationError("--proxy '\(p)' is not HOST[:PORT]") } }
        guard (user == nil) == (password == nil) else { throw ValidationError("--user and --password go together") }
        guard ringTimeout > 0, ringTimeout <= 600 else { throw ValidationError("--ring-timeout must be between 0 and 600 seconds") }
        guard rtpTimeout >= 0 else { throw ValidationError("--rtp-timeout must be 0 or more seconds") }
    }

    /// `target` as a sip: or sips: URI, or a usage error naming `option`.
    static func sipURI(_ target: String, option: String) throws -> SIPURI {
        guard let uri = try? SIPURI(parsing: target), uri.scheme == .sip || uri.scheme == .sips else {
            throw ValidationError("\(option) '\(target)' is not a sip: URI")
        }
        return uri
    }

    var hops: [HostPort] { proxy.compactMap(HostPort.init) }

    /// The transport for calls to `uri`: --transport, else the URI's own. SRTP's keys travel
    /// in the SDP (RFC 4568 §8.3), so --srtp needs tls unless --srtp-plain-signaling says otherwise.
    func transportKind(for uri: SIPURI) throws -> SIPTransportType {
        let kind = transport.flatMap(SIPTransportType.init(uriParameter:)) ?? SIPTargetResolver.transport(for: uri)
        if srtp != .off, kind != .tls, !srtpPlainSignaling {
            throw ValidationError("--srtp \(srtp.rawValue) sends its keys in the SDP: use --transport tls (or a sips: target), or allow them over \(kind.uriParameter) with --srtp-plain-signaling")
        }
        return kind
    }

    /// The address to listen on: --local-address, else the one that routes to the first hop.
    func localAddress(toward uri: SIPURI) -> String {
        let hop = hops.first ?? HostPort(host: uri.hostWithoutBrackets, port: uri.port)
        return localAddress ?? LocalRoute.address(toward: hop.host) ?? "127.0.0.1"
    }

    /// Where INVITEs for `uri` go: the proxies in order, else the target's own host (RFC 3263).
    func destinations(for uri: SIPURI, endpoint: CommandEndpoint, onError: (String) -> Void) async throws -> [SIPDestination] {
        if hops.isEmpty { return try await endpoint.destinations(for: uri, name: uri.host, onError: onError) }
        var destinations: [SIPDestination] = []
        for hop in hops {
            let hopURI = SIPURI(host: hop.uriHost, port: hop.port, parameters: endpoint.transportParameters)
            destinations += try await endpoint.destinations(for: hopURI, name: hop.host, onError: onError)
        }
        return destinations
    }

    /// One call's configuration: caller ID, credentials and this side's audio offer.
    func configuration(target uri: SIPURI, destinations: [SIPDestination], mediaPort: Int, endpoint: CommandEndpoint) -> OutboundCall.Configuration {
        var config = OutboundCall.Configuration(
            target: uri, from: callerAddress(endpoint), contact: endpoint.contact(user: "sipdial"), via: endpoint.via,
            destinations: destinations, transport: endpoint.kind,
            offer: AudioOffer(address: endpoint.bound.ipAddress ?? "127.0.0.1", port: mediaPort,
                              preferences: AudioPreferences(codecs: codec.isEmpty ? [.pcmu, .pcma] : codec, srtp: SDESKeys.generate(srtp))),
            ringTimeout: .milliseconds(Int64(ringTimeout * 1000)))
        config.username = user
        config.password = password
        config.headers = callerIDHeaders(endpoint) + [SIPHeaderField(.userAgent, "sipdial")]
        return config
    }

    /// From with the caller ID, or the anonymous From of RFC 3323 §4.1.1.3 with --hide-caller-id.
    private func callerAddress(_ endpoint: CommandEndpoint) -> SIPAddress {
        if hideCallerID {
            return SIPAddress(displayName: "\"Anonymous\"", uri: SIPURI(user: "anonymous", host: "anonymous.invalid"))
        }
        return realIdentity(endpoint)
    }

    private func realIdentity(_ endpoint: CommandEndpoint) -> SIPAddress {
        from.flatMap { try? SIPAddress(parsing: $0) } ?? SIPAddress(uri: SIPURI(user: user ?? "sipdial", host: endpoint.bound.sipHost))
    }

    /// P-Asserted-Identity (RFC 3325 §9.1) and Privacy (RFC 3323 §4.2).
    private func callerIDHeaders(_ endpoint: CommandEndpoint) -> [SIPHeaderField] {
        var headers: [SIPHeaderField] = []
        if let asserted = assertedIdentity.flatMap({ try? SIPAddress(parsing: $0) }) {
            headers.append(SIPHeaderField(.pAssertedIdentity, asserted.description))
        } else if hideCallerID {
            headers.append(SIPHeaderField(.pAssertedIdentity, realIdentity(endpoint).description))
        }
        if hideCallerID { headers.append(SIPHeaderField(.privacy, "id")) }
        return headers
    }
}
