import NIOCore
import SDP
import SIPCore
import SIPTransaction
import SIPTransport

/// One call sipdial places: the UAC side of an `InviteSession` (RFC 3261 §13.2, §12), whose
/// driver runs on the transaction layer's event loop. The methods may be called from anywhere.
public final class OutboundCall: Sendable {
    public struct Configuration: Sendable {
        /// The Request-URI of the INVITE.
        public var target: SIPURI
        /// From (display name and URI; the tag is added).
        public var from: SIPAddress
        /// To; the target when nil.
        public var to: SIPAddress?
        /// This side's Contact.
        public var contact: SIPURI
        /// The Via this side puts on its requests (a fresh branch is added to each).
        public var via: Via
        /// Where the INVITE goes (the outbound proxy or the target, resolved per RFC 3263).
        public var destinations: [SIPDestination]
        public var transport: SIPTransportType
        public var username: String?
        public var password: String?
        /// CANCEL when no answer came within this time.
        public var ringTimeout: Duration
        /// Extra headers on the INVITE (P-Asserted-Identity, Privacy, User-Agent ...).
        public var headers: [SIPHeaderField]
        public var offer: AudioOffer
        /// Session-Expires asked for (RFC 4028); nil sends no session timer request.
        public var sessionExpires: UInt32?
        /// Called with the Refer-To target when the far end transfers the call (REFER); the
        /// owner places that call and reports its progress with `reportTransfer`. Nil refuses
        /// transfers with 603.
        public var onTransferRequest: (@Sendable (SIPURI) -> Void)?
        /// Media types whose offers the owner answers through `offers` (`image` for T.38
        /// fax); others are the session's.
        public var ownerMediaTypes: Set<String> = []

        public init(target: SIPURI, from: SIPAddress, contact: SIPURI, via: Via, destinations: [SIPDestination],
                    transport: SIPTransportType, offer: AudioOffer, ringTimeout: Duration = .seconds(60)) {
            self.target = target
            self.from = from
            self.contact = contact
            self.via = via
            self.destinations = destinations
            self.transport = transport
            self.offer = offer
            self.ringTimeout = ringTimeout
            self.headers = []
            self.sessionExpires = 1800
        }
    }

    let driver: InviteSessionDriver
    public let callID: String

    public init(configuration: Configuration, dispatcher: SIPSessionDispatcher, resolver: SIPTargetResolver,
                onEvent: @escaping @Sendable (CallEvent) -> Void) {
        let outgoing = InviteSession.Outgoing(target: configuration.target, from: configuration.from, to: configuration.to,
                                              headers: configuration.headers, ringTimeout: configuration.ringTimeout,
                                              sessionExpires: configuration.sessionExpires)
        var settings = InviteSession.Configuration(role: .uac(outgoing), via: configuration.via, contact: SIPAddress(uri: configuration.contact),
                                                   media: configuration.offer, capabilities: dispatcher.capabilities,
                                                   followsTransfers: configuration.onTransferRequest != nil,
                                                   transactionTimeout: dispatcher.transactions.timers.transactionTimeout)
        settings.username = configuration.username
        settings.password = configuration.password
        settings.ownerMediaTypes = configuration.ownerMediaTypes
        let session = InviteSession(configuration: settings)
        callID = session.callID
        driver = InviteSessionDriver(session: session, dispatcher: dispatcher,
                                     routing: .resolving(resolver, destinations: configuration.destinations, transport: configuration.transport),
                                     onTransferRequest: configuration.onTransferRequest, onEvent: onEvent)
    }

    /// Sends the INVITE.
    public func start() {
        driver.open(with: .start)
    }

    /// Ends the call: CANCEL before an answer, BYE after it.
    public func hangUp() {
        driver.submit(.hangUp)
    }

    /// Asks the far end to call `target` instead (REFER, RFC 3515); the call ends when the
    /// transfer is done.
    public func transfer(to target: SIPURI) {
        driver.submit(.transfer(to: target))
    }

    /// Reports the progress of a transfer the far end asked for and sipdial follows (RFC 3515
    /// §2.4.4): a final status ends the implicit subscription.
    public func reportTransfer(status: Int, reason: String) {
        driver.submit(.reportTransfer(status: status, reason: reason))
    }
}
