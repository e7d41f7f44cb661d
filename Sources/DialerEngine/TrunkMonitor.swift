import DialerStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SIPCore
import SIPTransport
import SIPUserAgent
import Synchronization

/// Keeps each trunk's live status (issue #5 item 2): registers the trunks that ask for it
/// (refreshing, backing off and recovering as `RegistrationClient` does) and pings every
/// trunk with OPTIONS (RFC 3261 §11) every `interval` seconds, keeping the round-trip time
/// and the last error; and keeps the trunks' addresses as peers allowed to send INVITEs.
/// Trunks added, changed or deleted through the API are followed at the next look. A service
/// of `serve`'s group: when the group shuts down, it stops looking, lets the pings under way
/// end and removes the registrations (un-REGISTER).
public actor TrunkMonitor: Service {
    /// What `GET /v1/trunks/{id}` shows under `status`.
    public struct Status: Sendable, Equatable, Codable {
        /// registering, registered, backing-off, unregistered; nil when the trunk does not register.
        public var registration: String?
        /// Seconds the registrar granted.
        public var registeredFor: Int?
        /// The last OPTIONS answer's round trip (any final response counts: the trunk is up).
        public var optionsRttMs: Double?
        public var reachable: Bool?
        public var lastError: String?
        public var checkedAt: Date?
    }

    let sip: DialerSIPEndpoint
    let store: DialerStore
    let logger: Logger
    let interval: Double
    /// Told of each trunk that answered an OPTIONS (the pacer stops passing it over).
    let answered: @Sendable (String) async -> Void
    /// Told of each change of a trunk's registration or reachability (`/v1/events`).
    let eventLog: CallEventLog?
    private var statuses: [String: Status] = [:]
    private var registrations: [String: (updatedAt: Double, registration: SIPRegistration)] = [:]
    /// Set at the group's shutdown, from any thread.
    private let stopped = Atomic(false)
    /// Wakes the loop at the shutdown.
    private let alarm = Alarm()
    /// The registrations' state changes, taken by `run`.
    private let registrationChanges = AsyncStream<(id: String, state: RegistrationClient.State, error: String?)>.makeStream()

    public init(sip: DialerSIPEndpoint, store: DialerStore, logger: Logger, interval: Double = 30, eventLog: CallEventLog? = nil,
                answered: @escaping @Sendable (String) async -> Void = { _ in }) {
        (self.sip, self.store, self.logger, self.interval, self.answered) = (sip, store, logger, interval, answered)
        self.eventLog = eventLog
    }

    public func status(of trunkID: String) -> Status? { statuses[trunkID] }

    /// Looks at the trunks every `interval` seconds (their OPTIONS as tasks of the group, which
    /// also takes the registrations' changes) until the group shuts down or is cancelled;
    /// then cancels the pings under way and un-REGISTERs every registered trunk.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await change in self.registrationChanges.stream { await self.registration(change.id, change.state, change.error) }
            }
            await withTaskCancellationOrGracefulShutdownHandler {
                while !stopped.load(ordering: .relaxed) {
                    await check(pinging: &group)
                    await alarm.sleep(interval)
                }
            } onCancelOrGracefulShutdown: {
                self.stopped.store(true, ordering: .relaxed)
                self.alarm.ring()
            }
            group.cancelAll()
            for (_, entry) in registrations { await entry.registration.stop() }
            registrations.removeAll()
        }
    }

    /// One look: each trunk resolved once (RFC 3263, as for calls); its addresses become
    /// peers that may send INVITEs, its registration is kept in step, and it gets an OPTIONS
    /// (a task of `group`).
    func check(pinging group: inout DiscardingTaskGroup) async {
        guard let trunks = try? store.trunks() else { return }
        let ids = Set(trunks.map(\.id))
        for (id, entry) in registrations where !ids.contains(id) || trunks.first(where: { $0.id == id })?.register != true {
            await entry.registration.stop()
            registrations[id] = nil
        }
        statuses = statuses.filter { ids.contains($0.key) }
        var addresses: Set<String> = []
        for trunk in trunks {
            let route = TrunkRoute(trunk)
            let setup: CallSetup
            do { setup = try await CallSetup.resolve(route.server, route: route, sip: sip) } catch {
                update(trunk.id) { $0.reachable = false; $0.lastError = error.reason; $0.checkedAt = Date() }
                continue
            }
            addresses.formUnion(setup.destinations.compactMap(\.address.ipAddress))
            if trunk.register, registrations[trunk.id]?.updatedAt != trunk.updatedAt {
                await registrations[trunk.id]?.registration.stop()
                register(trunk, setup)
            }
            group.addTask { await self.ping(trunk.id, setup) }
        }
        sip.trunkAddresses.replace(with: addresses)
    }

    /// Where this side is for `setup`: the host for Via and Contact, bracketed when IPv6.
    private func localHost(_ setup: CallSetup) -> String {
        setup.local.host.contains(":") ? "[\(setup.local.host)]" : setup.local.host
    }

    private func register(_ trunk: Trunk, _ setup: CallSetup) {
        let route = setup.route
        let user = trunk.username ?? trunk.fromUser ?? "sipdial"
        let host = localHost(setup)
        let config = RegistrationClient.Configuration(
            registrar: route.server, addressOfRecord: SIPURI(user: user, host: trunk.fromDomain ?? route.server.host),
            contact: SIPURI(user: user, host: host, port: setup.local.port, parameters: route.server.parameters),
            via: Via(transport: route.transport.rawValue, host: host, port: setup.local.port, parameters: [SIPParameter("rport")]),
            username: user, password: trunk.password ?? "", expires: UInt32(trunk.registerExpires))
        let (id, changes) = (trunk.id, registrationChanges.continuation)
        let registration = SIPRegistration(client: RegistrationClient(configuration: config), transactions: sip.transactions,
                                           destinations: setup.destinations) { state, error in
            changes.yield((id, state, error))
        }
        registrations[id] = (trunk.updatedAt, registration)
        registration.start()
    }

    private func registration(_ id: String, _ state: RegistrationClient.State, _ error: String?) {
        update(id) { status in
            switch state {
            case .registered(let expires):
                status.registration = "registered"
                status.registeredFor = Int(expires)
            case .registering: status.registration = "registering"
            case .backingOff(let reason):
                status.registration = "backing-off"
                status.lastError = reason
            case .unregistering, .unregistered, .idle: status.registration = "unregistered"
            }
            if let error { status.lastError = error }
        }
        if case .backingOff(let reason) = state { logger.warning("trunk registration failed", metadata: ["trunk": "\(id)", "error": "\(reason)"]) }
    }

    /// OPTIONS to the trunk: its round trip, or why there was no answer.
    private func ping(_ trunkID: String, _ setup: CallSetup) async {
        let host = localHost(setup)
        var via = Via(transport: setup.route.transport.rawValue, host: host, port: setup.local.port, parameters: [SIPParameter("rport")])
        via.branch = SIPIdentifiers.branch()
        var from = SIPAddress(uri: SIPURI(user: "sipdial", host: host))
        from.tag = SIPIdentifiers.tag()
        let request = SIPRequestFactory.request(method: .options, uri: setup.target, via: via, from: from, to: SIPAddress(uri: setup.target),
                                                callID: SIPIdentifiers.callID(), cseq: 1, headers: [SIPHeaderField(.userAgent, "sipdial")])
        let started = ContinuousClock.now
        // nil: answered. The monitor's shutdown cancels the wait (up to 32 s, Timer F).
        let (once, promise) = (Once(), sip.transactions.eventLoop.makePromise(of: String?.self))
        let finish: @Sendable (String?) -> Void = { outcome in if once.claim() { promise.succeed(outcome) } }
        sip.transactions.sendRequest(request, to: setup.destinations[0]) { event in
            switch event {
            case .response(let response) where response.statusCode >= 200: finish(nil)
            case .response: break
            case .timedOut: finish("no answer to OPTIONS")
            case .transportFailed: finish("transport error")
            }
        }
        let outcome = await withTaskCancellationHandler { try? await promise.futureResult.get() } onCancel: { finish("stopped") }
        guard !Task.isCancelled else { return }
        let elapsed = ContinuousClock.now - started
        if outcome == nil { await answered(trunkID) }
        update(trunkID) { status in
            status.checkedAt = Date()
            status.reachable = outcome == nil
            if let outcome {
                status.lastError = outcome
                status.optionsRttMs = nil
            } else {
                status.optionsRttMs = ((Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) * 10).rounded() / 10
            }
        }
    }

    private func update(_ id: String, _ change: (inout Status) -> Void) {
        let before = statuses[id]
        var status = before ?? Status()
        change(&status)
        statuses[id] = status
        if status.registration != before?.registration || status.reachable != before?.reachable {
            eventLog?.publishTrunkState(trunkID: id, status: status)
        }
    }
}

