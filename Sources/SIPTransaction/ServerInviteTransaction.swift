import SIPCore

/// The INVITE server transaction of RFC 3261 §17.2.1 with the RFC 6026 Accepted state.
///
/// It answers 100 Trying as soon as it is created (§17.2.1 allows this whenever the TU may
/// take longer than 200 ms, which a dialer routing a call always may).
public struct ServerInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case proceeding, accepted, completed, confirmed, terminated }

    public typealias Event = SIPServerTransactionInput

    public let request: SIPRequest
    public let reliable: Bool
    public let timers: SIPTimerConfiguration
    public private(set) var state: State = .proceeding
    public private(set) var lastResponse: SIPResponse?
    private var intervalG: Duration

    public init(request: SIPRequest, reliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.intervalG = timers.t1
    }

    /// Actions on creation: the 100 Trying (§17.2.1, §8.2.6.1).
    public mutating func start() -> [SIPTransactionAction] {
        let trying = SIPResponseFactory.response(to: request, status: 100)
        lastResponse = trying
        return [.send(.response(trying))]
    }

    public mutating func handle(_ event: Event) -> [SIPTransactionAction] {
        switch (state, event) {
        case (.proceeding, .request(let r)) where r.method == .invite:
            return lastResponse.map { [.send(.response($0))] } ?? []

        case (.proceeding, .respond(let r)):
            lastResponse = r
            if r.isProvisional { return [.send(.response(r))] }
            if r.isSuccess {
                state = .accepted
                return [.send(.response(r)), .startTimer(.L, timers.transactionTimeout)]
            }
            state = .completed
            var actions: [SIPTransactionAction] = [.send(.response(r))]
            if !reliable { actions.append(.startTimer(.G, intervalG)) }
            actions.append(.startTimer(.H, timers.transactionTimeout))
            return actions

        case (.accepted, .respond(let r)) where r.isSuccess:
            // RFC 6026 §8.7: the TU retransmits its 2xx through the transaction.
            return [.send(.response(r))]

        case (.accepted, .request(let r)):
            // Retransmitted INVITEs are absorbed; an ACK that matched goes to the TU (RFC 6026 §8.7).
            return r.method == .ack ? [.deliverAck(r)] : []

        case (.accepted, .timerFired(.L)):
            state = .terminated
            return [.terminated]

        case (.completed, .request(let r)):
            if r.method == .ack {
                state = .confirmed
                var actions: [SIPTransactionAction] = [.cancelTimer(.G), .cancelTimer(.H), .deliverAck(r)]
                if reliable {
                    state = .terminated
                    actions.append(.terminated)
                } else {
                    actions.append(.startTimer(.I, timers.t4))
                }
                return actions
            }
            return lastResponse.map { [.send(.response($0))] } ?? []

        case (.completed, .timerFired(.G)):
            intervalG = min(intervalG * 2, timers.t2)
            return (lastResponse.map { [.send(.response($0))] } ?? []) + [.startTimer(.G, intervalG)]

        case (.completed, .timerFired(.H)):
            state = .terminated
            return [.cancelTimer(.G), .timedOut, .terminated]

        case (.confirmed, .timerFired(.I)):
            state = .terminated
            return [.terminated]

        case (.proceeding, .transportError), (.completed, .transportError), (.accepted, .transportError):
            state = .terminated
            return [.cancelTimer(.G), .cancelTimer(.H), .cancelTimer(.L), .transportFailed, .terminated]

        default:
            return []
        }
    }
}
