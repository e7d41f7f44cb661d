/// What the owner of a call does with offers of the streams it answers itself
/// (`ownerMediaTypes`, e.g. `image` for T.38 fax), the same for calls placed and answered:
/// offer one in a re-INVITE (RFC 3261 §14.1), answer or refuse the far end's (§14.2,
/// RFC 3264 §8). The session reports the outcome as `CallEvent.offerAnswered`,
/// `.offerRefused` or, for the far end's, `.offerReceived`. May be called from anywhere.
public struct SessionOffers: Sendable {
    let driver: InviteSessionDriver

    /// Offers `sdp` (the session stamps its o= identity and version); glare (491) is retried.
    public func offer(_ sdp: [UInt8]) {
        driver.submit(.reoffer(sdp: sdp))
    }

    /// Answers the offer reported with `.offerReceived`.
    public func answer(_ sdp: [UInt8]) {
        driver.submit(.answerOffer(sdp: sdp))
    }

    /// Refuses the offer reported with `.offerReceived` (488 Not Acceptable Here, by default).
    public func refuse(status: Int = 488) {
        driver.submit(.refuseOffer(status: status))
    }
}

extension OutboundCall {
    public var offers: SessionOffers { SessionOffers(driver: driver) }
}

extension InboundCall {
    public var offers: SessionOffers { SessionOffers(driver: driver) }
}
