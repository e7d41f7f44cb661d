import SIPCore
import SIPTransport

/// One call a peer placed to sipdial: the UAS side of an `InviteSession` (RFC 3261 §13.3).
/// `accept` sends the 200 with this side's SDP answer (unless a CANCEL ended the INVITE
/// first), resent until the ACK (§13.3.1.4; no ACK within 64·T1 ends the call with BYE);
/// from then on it is the same dialog as a call sipdial placed, reporting the same
/// `CallEvent`s, so a flow runs on either. Requests go back to where the INVITE came from.
/// The methods may be called from anywhere.
public final class InboundCall: Sendable {
    public let invite: SIPServerTransaction
    public var callID: String { driver.callID }
    let driver: InviteSessionDriver

    /// `contact` is this side's Contact for the dialog; offers of `ownerMediaTypes` (`image`
    /// for T.38 fax) are the owner's to answer through `offers`.
    public init(invite: SIPServerTransaction, contact: SIPAddress, dispatcher: SIPSessionDispatcher,
                ownerMediaTypes: Set<String> = [], onEvent: @escaping @Sendable (CallEvent) -> Void) {
        self.invite = invite
        let peer = SIPDestination(address: invite.inbound.source, transport: invite.inbound.transport)
        var settings = InviteSession.Configuration(role: .uas(request: invite.request, localTag: invite.localTag),
                                                   via: Via(transport: peer.transport.rawValue, host: "127.0.0.1"),
                                                   contact: contact, media: nil, capabilities: dispatcher.capabilities,
                                                   transactionTimeout: dispatcher.transactions.timers.transactionTimeout)
        settings.ownerMediaTypes = ownerMediaTypes
        driver = InviteSessionDriver(session: InviteSession(configuration: settings), dispatcher: dispatcher,
                                     routing: .peer(peer), onEvent: onEvent)
    }

    /// Answers with `media`, this side's session whose body is the SDP answer, or with
    /// `ownerSDP` in its place (a stream the owner answers, such as T.38 fax, in the session's
    /// o= identity); the call is up from now on. When the caller cancelled while the answer was
    /// being prepared (the INVITE already ended with 487, §9.2), nothing is sent and the call
    /// ends as `cancelled`.
    public func accept(media: AudioOffer, ownerSDP: [UInt8]? = nil) {
        let driver = driver
        let invite = invite
        driver.eventLoop.execute {
            let peer = invite.inbound
            let local = driver.dispatcher.transactions.transport.localAddress(for: peer.transport, family: peer.source)
            let via = Via(transport: peer.transport.rawValue, host: local?.sipHost ?? "127.0.0.1", port: local?.port,
                          parameters: [SIPParameter("rport")])
            let cancelled = driver.dispatcher.wasCancelled(invite.key)
            if !cancelled { driver.dispatcher.add(driver, callID: driver.callID) }
            driver.feed(.accept(media: media, via: via, cancelled: cancelled, ownerSDP: ownerSDP), answering: cancelled ? nil : invite)
        }
    }

    /// Ends the answered call with BYE (§15.1.1).
    public func hangUp() {
        driver.submit(.hangUp)
    }
}
