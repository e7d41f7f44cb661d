import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// Runs a `RegistrationClient` on the transaction layer's event loop: sends its REGISTERs
/// through RFC 3263 failover over `destinations`, arms its timers, and reports each state
/// change. State is confined to the event loop.
public final class SIPRegistration: @unchecked Sendable {
    public let transactions: SIPTransactionLayer
    private var client: RegistrationClient
    private let destinations: [SIPDestination]
    private let onChange: @Sendable (RegistrationClient.State, String?) -> Void
    private var refreshTimer: Scheduled<Void>?
    private var retryTimer: Scheduled<Void>?
    private var stopped: EventLoopPromise<Void>?
    private var eventLoop: EventLoop { transactions.eventLoop }

    public init(client: RegistrationClient, transactions: SIPTransactionLayer, destinations: [SIPDestination],
                onChange: @escaping @Sendable (RegistrationClient.State, String?) -> Void = { _, _ in }) {
        self.client = client
        self.transactions = transactions
        self.destinations = destinations
        self.onChange = onChange
    }

    /// The current state and last error.
    public func status() async throws -> (RegistrationClient.State, String?) {
        try await eventLoop.submit { (self.client.state, self.client.lastError) }.get()
    }

    public func start() {
        eventLoop.execute { self.feed(.start) }
    }

    /// Un-REGISTERs and returns once the registrar answered (or gave up).
    public func stop() async {
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.execute {
            self.stopped = promise
            self.feed(.stop)
            if self.client.state == .unregistered { promise.succeed() }
        }
        try? await promise.futureResult.get()
    }

    private func feed(_ input: RegistrationClient.Input) {
        eventLoop.assertInEventLoop()
        for action in client.handle(input) {
            switch action {
            case .send(let request):
                transactions.sendRequest(request, trying: destinations) { [weak self] event in
                    guard let self else { return }
                    switch event {
                    case .response(let r) where r.isFinal: self.feed(.response(r))
                    case .response: break
                    case .timedOut: self.feed(.noResponse("no answer from the registrar"))
                    case .transportFailed: self.feed(.noResponse("cannot reach the registrar"))
                    }
                }
            case .startRefreshTimer(let d):
                refreshTimer?.cancel()
                refreshTimer = eventLoop.scheduleTask(in: d.timeAmount) { [weak self] in self?.feed(.refreshTimerFired) }
            case .startRetryTimer(let d):
                retryTimer?.cancel()
                retryTimer = eventLoop.scheduleTask(in: d.timeAmount) { [weak self] in self?.feed(.retryTimerFired) }
            case .cancelTimers:
                refreshTimer?.cancel()
                retryTimer?.cancel()
            case .stateChanged(let state, let error):
                onChange(state, error)
                if state == .unregistered { stopped?.succeed() }
            }
        }
    }
}
