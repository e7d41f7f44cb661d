import SIPCore

/// The non-INVITE server transaction of RFC 3261 §17.2.2.
public struct ServerNonInviteTransaction: Sendable {
    public enum State: Sendable, Equatable { case trying, proceeding, completed, terminated }

    public typealias Event = SIPServerTransactionInput

    public let request: SIPRequest
    public let reliable: Bool
    public let timers: SIPTimerConfiguration
    public private(set) var state: State = .trying
    public private(set) var lastResponse: SIPResponse?

    public init(request: SIPRequest, reliable: Bool, timers: SIPTimerConfiguration = .default) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
    }

    public mutating func handle(_ event: Event) -> [SIPTransactionAction] {
        switch (state, event) {
        case (.trying, .request):
            return []

        case (.proceeding, .request), (.completed, .request):
            return lastResponse.map { [.send(.response($0))] } ?? []

        case (.trying, .respond(let r)), (.proceeding, .respond(let r)):
            lastResponse = r
            if r.isProvisional {
                state = .proceeding
                return [.send(.response(r))]
            }
            state = .completed
            if reliable {
                state = .terminated
                return [.send(.response(r)), .terminated]
            }
            return [.send(.response(r)), .startTimer(.J, timers.transactionTimeout)]

        case (.completed, .timerFired(.J)):
            state = .terminated
            return [.terminated]

        case (.proceeding, .transportError), (.completed, .transportError):
            state = .terminated
            return [.cancelTimer(.J), .transportFailed, .terminated]

        default:
            return []
        }
    }
}
