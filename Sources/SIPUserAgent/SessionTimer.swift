import SIPCore

/// The session timer a 2xx to an INVITE or UPDATE sets up (RFC 4028 §7.2 for the UAC,
/// §9 for the UAS): how long the session lasts without a refresh and who refreshes it.
public struct SessionTimer: Sendable, Equatable {
    /// Session interval in seconds.
    public var interval: UInt32
    /// Whether this side must send the refreshes.
    public var weRefresh: Bool

    /// The smallest interval RFC 4028 §4 allows.
    public static let minimum: UInt32 = 90

    public init(interval: UInt32, weRefresh: Bool) {
        self.interval = interval
        self.weRefresh = weRefresh
    }

    /// From the 2xx that answered a request this side sent (RFC 4028 §7.2): no timer when the
    /// 2xx has no Session-Expires; a missing refresher means the UAC refreshes (§7.2: a UAS
    /// supporting timers always names it; a 2xx without one came from a UAS that does not,
    /// and the UAC then does the refreshing).
    public init?(answeredBy response: SIPResponse) {
        guard let se = try? response.headers.sessionExpires(), let value = UInt32(se.value), value > 0 else { return nil }
        let refresher = (se.parameters[parameter: "refresher"] ?? nil)?.lowercased() ?? "uac"
        self.init(interval: value, weRefresh: refresher == "uac")
    }

    /// When the refresher sends the refresh: half the interval (§10).
    public var refreshAfter: Duration { .seconds(Double(interval) / 2) }

    /// When the side that does not refresh gives up and sends BYE: the interval minus
    /// the smaller of 32 seconds and a third of it (§10).
    public var expiresAfter: Duration {
        let margin = min(32.0, Double(interval) / 3)
        return .seconds(Double(interval) - margin)
    }

    /// Session-Expires for a refresh or an initial request.
    public func header(refresher: String) -> SIPHeaderField {
        SIPHeaderField(.sessionExpires, "\(interval);refresher=\(refresher)")
    }
}
