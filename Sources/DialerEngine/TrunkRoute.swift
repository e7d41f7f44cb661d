import DialerStore
import SDP
import SIPCore
import SIPTransport

/// How a number is dialed through a trunk: the Request-URI (the number rewritten by the
/// trunk's prefixes, at the trunk's host), the caller ID in From, the credentials for digest
/// challenges, the codecs offered and whether the audio is SRTP.
public struct TrunkRoute: Sendable, Equatable {
    public var trunkID: String?
    public var host: String
    public var port: Int?
    public var transport: SIPTransportType
    public var username: String?
    public var password: String?
    public var fromUser: String?
    public var fromDomain: String?
    public var callerID: String?
    public var stripPrefix: String?
    public var addPrefix: String?
    public var codecs: [AudioCodec]
    /// SRTP for the audio (RFC 3711 with SDES keys, RFC 4568).
    public var srtp: SRTPPolicy = .off
    /// Whether SDES keys may travel over udp or tcp signaling, where anyone who sees the
    /// SIP reads them; without it SRTP is used over tls only.
    public var srtpPlainSignaling = false

    public init(host: String, port: Int?, transport: SIPTransportType = .udp, codecs: [AudioCodec] = [.pcmu, .pcma]) {
        (self.host, self.port, self.transport, self.codecs) = (host, port, transport, codecs)
    }

    public init(_ trunk: Trunk) {
        self.init(host: trunk.host, port: trunk.port, transport: SIPTransportType(uriParameter: trunk.transport) ?? .udp,
                  codecs: trunk.codecs.compactMap(AudioCodec.init(rawValue:)))
        trunkID = trunk.id
        (username, password) = (trunk.username, trunk.password)
        (fromUser, fromDomain, callerID) = (trunk.fromUser, trunk.fromDomain, trunk.callerId)
        (stripPrefix, addPrefix) = (trunk.stripPrefix, trunk.addPrefix)
        if codecs.isEmpty { codecs = [.pcmu, .pcma] }
        srtp = SRTPPolicy(rawValue: trunk.srtp) ?? .off
        srtpPlainSignaling = trunk.srtpPlainSignaling
    }

    /// Fresh SDES keys for one call under `srtp` (RFC 4568): nil when SRTP is off, or when
    /// the signaling is not tls and keys may not travel in the clear (§8.3).
    public func srtpKeys() -> SDESKeys? {
        guard transport == .tls || srtpPlainSignaling else { return nil }
        return SDESKeys.generate(srtp)
    }

    /// The number as the trunk wants it: `stripPrefix` removed from the front when there,
    /// then `addPrefix` put in front.
    public func dialString(_ phone: String) -> String {
        var number = phone
        if let strip = stripPrefix, !strip.isEmpty, number.hasPrefix(strip) { number.removeFirst(strip.count) }
        return (addPrefix ?? "") + number
    }

    /// The Request-URI for `phone` (RFC 3261 §19.1: the number as the user part, `user=phone`
    /// left out since trunks route on the user part either way).
    public func target(_ phone: String) -> SIPURI {
        var uri = server
        uri.user = dialString(phone)
        return uri
    }

    /// The trunk itself, without a user: the registrar's URI (§10.2) and OPTIONS' target.
    public var server: SIPURI {
        SIPURI(host: host.contains(":") ? "[\(host)]" : host, port: port,
               parameters: transport == .udp ? [] : [SIPParameter("transport", transport.uriParameter)])
    }

    /// From: the campaign's caller ID, else the trunk's, else `fromUser`, at `fromDomain` or
    /// the trunk's host.
    public func from(callerID campaignCallerID: String?) -> SIPAddress {
        let user = campaignCallerID ?? callerID ?? fromUser ?? "sipdial"
        return SIPAddress(uri: SIPURI(user: user, host: fromDomain ?? (host.contains(":") ? "[\(host)]" : host)))
    }
}
