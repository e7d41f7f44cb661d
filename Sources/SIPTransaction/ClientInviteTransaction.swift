import SIPCore

/// The INVITE client transaction of RFC 3261 §17.1.1 with the RFC 6026 Accepted state.
///
/// A pure state machine: feed it events, carry out the actions it returns.
public struct ClientInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case calling, proceeding, accepted, completed, terminated }

    public typealias Event = SIPClientTransactionInput

    public let request: SIPRequest
    public let reliable: Bool
    public let timers: SIPTimerConfiguration
    public private(set) var state: State = .calling
    private var intervalA: Duration
    private var ack: SIPRequest?

    public init(request: SIPRequest, reliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.intervalA = timers.t1
    }

    public mutating func handle(_ event: Event) -> [SIPTransactionAction] {
        switch (state, event) {
        case (.calling, .start):
            var actions: [SIPTransactionAction] = [.send(.request(request))]
            if !reliable { actions.append(.startTimer(.A, intervalA)) }
            actions.append(.startTimer(.B, timers.transactionTimeout))
            return actions

        case (.calling, .timerFired(.A)):
            intervalA = intervalA * 2
            return [.send(.request(request)), .startTimer(.A, intervalA)]

        case (.calling, .timerFired(.B)):
            state = .terminated
            return [.cancelTimer(.A), .timedOut, .terminated]

        case (.calling, .response(let r)), (.proceeding, .response(let r)):
            if r.isProvisional {
                let wasCalling = state == .calling
                state = .proceeding
                // Figure 5: Timer B only runs in Calling; once the far end rings, the TU bounds
                // the wait (ring timeout, then CANCEL, §9.1).
                return (wasCalling ? [.cancelTimer(.A), .cancelTimer(.B)] : []) + [.deliverResponse(r)]
            }
            if r.isSuccess {
                // RFC 6026 §8.4: wait in Accepted for 2xx retransmissions, the TU ACKs each.
                state = .accepted
                return [.cancelTimer(.A), .cancelTimer(.B), .deliverResponse(r), .startTimer(.M, timers.transactionTimeout)]
            }
            state = .completed
            let ack = ClientInviteTransaction.ack(for: request, response: r)
            self.ack = ack
            var actions: [SIPTransactionAction] = [.cancelTimer(.A), .cancelTimer(.B), .send(.request(ack)), .deliverResponse(r)]
            if reliable {
                state = .terminated
                actions.append(.terminated)
            } else {
                actions.append(.startTimer(.D, timers.timerDUnreliable))
            }
            return actions

        case (.accepted, .response(let r)) where r.isSuccess:
            return [.deliverResponse(r)]

        case (.accepted, .timerFired(.M)):
            state = .terminated
            return [.terminated]

        case (.completed, .response(let r)) where r.statusCode >= 300:
            return ack.map { [.send(.request($0))] } ?? []

        case (.completed, .timerFired(.D)):
            state = .terminated
            return [.terminated]

        case (.calling, .transportError), (.proceeding, .transportError), (.completed, .transportError):
            state = .terminated
            return [.cancelTimer(.A), .cancelTimer(.B), .cancelTimer(.D), .transportFailed, .terminated]

        default:
            return []
        }
    }

    /// The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, Call-ID,
    /// From, CSeq number and top Via as the INVITE, To from the response, the INVITE's Route set.
    public static func ack(for invite: SIPRequest, response: SIPResponse) -> SIPRequest {
        SIPRequestFactory.ack(
            for: invite, response: response, uri: invite.uri,
            via: invite.headers.listValues(.via).first ?? "", routes: invite.headers.values(.route))
    }
}
