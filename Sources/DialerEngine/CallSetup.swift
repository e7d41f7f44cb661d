import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// Where a dialed call goes and what its INVITE says: the target resolved (RFC 3263), the
/// local address toward it, and the INVITE session's settings through a trunk.
struct CallSetup: Sendable {
    let target: SIPURI
    let route: TrunkRoute
    let destinations: [SIPDestination]
    let local: (host: String, port: Int)

    /// Why a call could not leave; the CDR's reason.
    struct Failure: Error {
        var reason: String
    }

    /// Resolves `target` through `route` on `sip`'s listeners.
    static func resolve(_ target: SIPURI, route: TrunkRoute, sip: DialerSIPEndpoint) async throws(Failure) -> CallSetup {
        let destinations: [SIPDestination]
        do {
            destinations = try await sip.resolver.resolve(target, transport: route.transport)
        } catch {
            throw Failure(reason: "cannot resolve \(target.host): \(error)")
        }
        guard let first = destinations.first else { throw Failure(reason: "cannot resolve \(target.host): no targets") }
        guard let local = sip.localAddress(kind: route.transport, toward: first.address) else {
            throw Failure(reason: "sipdial has no \(route.transport.uriParameter) listener")
        }
        return CallSetup(target: target, route: route, destinations: destinations, local: local)
    }

    /// The INVITE session for audio on `mediaPort`, presenting `callerID` (else the trunk's),
    /// cancelled after `ringTimeout` seconds of ringing.
    func configuration(mediaPort: Int, callerID: String?, ringTimeout: Double) -> OutboundCall.Configuration {
        let kind = route.transport
        let host = local.host.contains(":") ? "[\(local.host)]" : local.host
        let parameters = kind == .udp ? [] : [SIPParameter("transport", kind.uriParameter)]
        var config = OutboundCall.Configuration(
            target: target, from: route.from(callerID: callerID),
            contact: SIPURI(user: "sipdial", host: host, port: local.port, parameters: parameters),
            via: Via(transport: kind.rawValue, host: host, port: local.port, parameters: [SIPParameter("rport")]),
            destinations: destinations, transport: kind,
            offer: AudioOffer(address: local.host, port: mediaPort, preferences: AudioPreferences(codecs: route.codecs, srtp: route.srtpKeys())),
            ringTimeout: .milliseconds(Int64(ringTimeout * 1000)))
        config.username = route.username
        config.password = route.password
        config.headers = [SIPHeaderField(.userAgent, "sipdial")]
        return config
    }
}
