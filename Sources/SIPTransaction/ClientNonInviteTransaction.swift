import SIPCore

/// The non-INVITE client transaction of RFC 3261 §17.1.2.
public struct ClientNonInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case trying, proceeding, completed, terminated }

    public typealias Event = SIPClientTransactionInput

    public let request: SIPRequest
    public let reliable: Bool
    public let timers: SIPTimerConfiguration
    public private(set) var state: State = .trying
    private var intervalE: Duration

    public init(request: SIPRequest, reliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.intervalE = timers.t1
    }

    public mutating func handle(_ event: Event) -> [SIPTransactionAction] {
        switch (state, event) {
        case (.trying, .start):
            var actions: [SIPTransactionAction] = [.send(.request(request))]
            if !reliable { actions.append(.startTimer(.E, intervalE)) }
            actions.append(.startTimer(.F, timers.transactionTimeout))
            return actions

        case (.trying, .timerFired(.E)):
            intervalE = min(intervalE * 2, timers.t2)
            return [.send(.request(request)), .startTimer(.E, intervalE)]

        case (.proceeding, .timerFired(.E)):
            intervalE = timers.t2
            return [.send(.request(request)), .startTimer(.E, intervalE)]

        case (.trying, .timerFired(.F)), (.proceeding, .timerFired(.F)):
            state = .terminated
            return [.cancelTimer(.E), .timedOut, .terminated]

        case (.trying, .response(let r)), (.proceeding, .response(let r)):
            if r.isProvisional {
                state = .proceeding
                return [.deliverResponse(r)]
            }
            state = .completed
            var actions: [SIPTransactionAction] = [.cancelTimer(.E), .cancelTimer(.F), .deliverResponse(r)]
            if reliable {
                state = .terminated
                actions.append(.terminated)
            } else {
                actions.append(.startTimer(.K, timers.t4))
            }
            return actions

        case (.completed, .timerFired(.K)):
            state = .terminated
            return [.terminated]

        case (.trying, .transportError), (.proceeding, .transportError):
            state = .terminated
            return [.cancelTimer(.E), .cancelTimer(.F), .transportFailed, .terminated]

        default:
            return []
        }
    }
}
