import NIOCore
import SIPCore

/// Turns a SIP URI into an ordered list of destinations to try (RFC 3263 §4): a numeric
/// host or explicit port is used as is (A/AAAA for a name with a port); otherwise SRV records
/// `_sip._udp`/`_sip._tcp`/`_sips._tcp` ordered by priority and weight (RFC 2782), then A/AAAA
/// of the name.
/// NAPTR is not used: sipdial picks the transport from the URI or its configuration
/// (RFC 3263 §4.1 allows that).
public struct SIPTargetResolver: Sendable {
    public let dns: DNSClient
    public let eventLoop: EventLoop

    public init(dns: DNSClient, eventLoop: EventLoop) {
        self.dns = dns
        self.eventLoop = eventLoop
    }

    /// The transport for a URI: its `transport` parameter, else TLS for a `sips:` URI (RFC
    /// 3261 §26.2), else UDP (RFC 3263 §4.1).
    public static func transport(for uri: SIPURI, default fallback: SIPTransportType = .udp) -> SIPTransportType {
        uri.transportParameter.flatMap(SIPTransportType.init(uriParameter:)) ?? (uri.scheme == .sips ? .tls : fallback)
    }

    /// The destination of a URI whose host (or maddr) is an IP address: no lookup needed
    /// (RFC 3263 §4.2). Nil for a name.
    public static func numericDestination(_ uri: SIPURI, transport explicit: SIPTransportType? = nil) -> SIPDestination? {
        let transport = explicit ?? SIPTargetResolver.transport(for: uri)
        guard let numeric = try? SocketAddress(ipAddress: uri.maddrOrHost, port: uri.port ?? transport.defaultPort) else { return nil }
        return SIPDestination(address: numeric, transport: transport)
    }

    /// The SRV service for a transport (RFC 3263 §4.2; TLS is `_sips._tcp`, RFC 5630 §3.3).
    static func service(_ transport: SIPTransportType, host: String) -> String {
        transport == .tls ? "_sips._tcp.\(host)" : "_sip._\(transport.uriParameter).\(host)"
    }

    public func resolve(_ uri: SIPURI, transport explicit: SIPTransportType? = nil) async throws -> [SIPDestination] {
        let transport = explicit ?? SIPTargetResolver.transport(for: uri)
        let host = uri.maddrOrHost
        if let numeric = Self.numericDestination(uri, transport: transport) {
            return [numeric]
        }
        // Over TLS the certificate must name the URI's domain, whatever SRV says (RFC 5922 §4.1).
        let serverName = transport == .tls ? host : nil
        func destination(_ address: SocketAddress) -> SIPDestination {
            SIPDestination(address: address, transport: transport, serverName: serverName)
        }
        if let port = uri.port {
            return try await addresses(host, port: port).map(destination)
        }
        let records: [DNSMessage.SRVRecord] = ((try? await dns.lookup(Self.service(transport, host: host), .srv)) ?? []).compactMap {
            if case .srv(let r) = $0 { r } else { nil }
        }
        if records.isEmpty {
            return try await addresses(host, port: transport.defaultPort).map(destination)
        }
        var out: [SIPDestination] = []
        for record in SIPTargetResolver.order(records) where record.target != "." && !record.target.isEmpty {
            let found = (try? await addresses(record.target, port: Int(record.port))) ?? []
            out += found.map(destination)
        }
        guard !out.isEmpty else { throw SIPTransportError.noTargets(host) }
        return out
    }

    private func addresses(_ host: String, port: Int) async throws -> [SocketAddress] {
        let v4 = (try? await dns.lookup(host, .a)) ?? []
        let v6 = (try? await dns.lookup(host, .aaaa)) ?? []
        var out: [SocketAddress] = []
        for answer in v4 + v6 {
            switch answer {
            case .a(let b): out.append(try SocketAddress(ipAddress: b.map(String.init).joined(separator: "."), port: port))
            case .aaaa(let b):
                let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }
                out.append(try SocketAddress(ipAddress: groups.joined(separator: ":"), port: port))
            case .srv: break
            }
        }
        if out.isEmpty {
            // Not in DNS: the system resolver still knows /etc/hosts names such as localhost.
            out = try await SIPAddressLookup.resolve(host: host, port: port, on: eventLoop).get()
        }
        return out
    }

    /// RFC 2782 order: ascending priority; within a priority, weighted by a deterministic
    /// pass (heaviest first) so that tests and failover order are reproducible.
    static func order(_ records: [DNSMessage.SRVRecord]) -> [DNSMessage.SRVRecord] {
        records.sorted { ($0.priority, UInt16.max - $0.weight, $0.target) < ($1.priority, UInt16.max - $1.weight, $1.target) }
    }
}

extension SIPURI {
    /// `maddr` overrides the host for routing (RFC 3261 §19.1.1).
    var maddrOrHost: String {
        (parameters[parameter: "maddr"] ?? nil) ?? hostWithoutBrackets
    }
}
