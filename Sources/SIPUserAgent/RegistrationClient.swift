import SIPCore

/// The registration client of RFC 3261 §10.2 as a pure state machine: REGISTER with
/// digest authentication, refresh before expiry, 423 Interval Too Brief handling (§10.2.8),
/// exponential backoff with jitter after failures (RFC 5626 §4.5 style), and un-REGISTER on
/// stop. One Call-ID for the whole registration, CSeq growing by one per request (§10.2.4).
///
/// Time never enters: the driver arms the timers the actions name and feeds `.timerFired`.
public struct RegistrationClient: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The registrar's URI, the Request-URI of every REGISTER (§10.2: domain, no user part).
        public var registrar: SIPURI
        /// The address of record: To and From (§10.2).
        public var addressOfRecord: SIPURI
        /// Where calls for the AOR should go.
        public var contact: SIPURI
        /// The Via of each REGISTER (transport and sent-by; the branch is made per request).
        public var via: Via
        public var username: String
        public var password: String
        /// Expiry asked for, in seconds.
        public var expires: UInt32 = 3600
        /// First retry delay after a failure; doubles up to `maxBackoff`.
        public var baseBackoff: Duration = .seconds(2)
        public var maxBackoff: Duration = .seconds(300)
        public var userAgent = "sipdial"

        public init(registrar: SIPURI, addressOfRecord: SIPURI, contact: SIPURI, via: Via, username: String, password: String, expires: UInt32 = 3600) {
            self.registrar = registrar
            self.addressOfRecord = addressOfRecord
            self.contact = contact
            self.via = via
            self.username = username
            self.password = password
            self.expires = expires
        }
    }

    public enum State: Sendable, Equatable {
        case idle
        case registering
        /// Registered; `expires` is what the registrar granted.
        case registered(expires: UInt32)
        /// Waiting before the next attempt after `reason`.
        case backingOff(reason: String)
        case unregistering
        case unregistered
    }

    public enum Input: Sendable, Equatable {
        case start
        /// The final response to the last REGISTER (provisionals are not fed).
        case response(SIPResponse)
        /// No final response: timeout or transport failure, with a description.
        case noResponse(String)
        case refreshTimerFired
        case retryTimerFired
        case stop
    }

    public enum Action: Sendable, Equatable {
            /// Send this REGISTER in a new client transaction.
        case send(SIPRequest)
        case startRefreshTimer(Duration)
        case startRetryTimer(Duration)
        case cancelTimers
        /// The state changed; `lastError` says why when it is a failure.
        case stateChanged(State, lastError: String?)
    }

    public let configuration: Configuration
    public let callID: String
    public private(set) var state: State = .idle
    public private(set) var lastError: String?
    private var cseq: UInt32 = 0
    private var requestedExpires: UInt32
    private var authenticator: SIPAuthenticator
    private var lastRequest: SIPRequest?
    private var failures = 0
    private let tag: String
    private var random: @Sendable () -> Double

    /// `random` returns a value in [0, 1) for backoff jitter (injected so tests are exact).
    public init(configuration: Configuration, callID: String = SIPIdentifiers.callID(), tag: String = SIPIdentifiers.tag(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        self.callID = callID
        self.tag = tag
        self.requestedExpires = configuration.expires
        self.authenticator = SIPAuthenticator(username: configuration.username, password: configuration.password)
        self.random = random
    }

    public mutating func handle(_ input: Input) -> [Action] {
        switch (state, input) {
        case (.idle, .start), (.unregistered, .start), (.backingOff, .retryTimerFired), (.registered, .refreshTimerFired):
            return register(expires: requestedExpires, next: .registering)

        case (.registering, .response(let r)), (.registered, .response(let r)):
            return handleResponse(r)

        case (.registering, .noResponse(let why)):
            return backOff(why)

        case (.unregistering, .response(let r)) where r.statusCode == 401 || r.statusCode == 407:
            guard let last = lastRequest, case .retry(let retry) = authenticator.handle(r, to: last) else {
                return finishUnregister(error: "un-REGISTER refused: \(r.statusCode) \(r.reasonPhrase)")
            }
            return send(retry)

        case (.unregistering, .response(let r)):
            return finishUnregister(error: r.isSuccess ? nil : "un-REGISTER answered \(r.statusCode) \(r.reasonPhrase)")

        case (.unregistering, .noResponse(let why)):
            return finishUnregister(error: "un-REGISTER got no answer: \(why)")

        case (.registered, .stop), (.registering, .stop):
            return [.cancelTimers] + register(expires: 0, next: .unregistering)

        case (.backingOff, .stop), (.idle, .stop):
            state = .unregistered
            return [.cancelTimers, .stateChanged(.unregistered, lastError: lastError)]

        default:
            return []
        }
    }

    private mutating func handleResponse(_ r: SIPResponse) -> [Action] {
        switch r.statusCode {
        case 200..<300:
            failures = 0
            lastError = nil
            let granted = grantedExpires(r)
            state = .registered(expires: granted)
            // Refresh at half the granted time: two chances before expiry (§10.2.1 leaves the timing to the UA).
            return [.stateChanged(state, lastError: nil), .startRefreshTimer(.seconds(max(1, Int64(granted) / 2)))]
        case 401, 407:
            guard let last = lastRequest else { return backOff("\(r.statusCode) without a request") }
            switch authenticator.handle(r, to: last) {
            case .retry(let retry):
                return send(retry)
            case .failed(let reason):
                // Wrong credentials: wait the longest backoff, never loop on the registrar.
                return backOff(reason, delay: configuration.maxBackoff)
            }
        case 423:
            // §10.2.8: ask again with at least Min-Expires.
            guard let min = try? r.headers.minExpires(), min > requestedExpires else { return backOff("423 without a usable Min-Expires") }
            requestedExpires = min
            return register(expires: min, next: .registering)
        default:
            return backOff("\(r.statusCode) \(r.reasonPhrase)", delay: r.headers.retryAfterSeconds().map { .seconds($0) })
        }
    }

    /// The expiry the registrar granted: our Contact's `expires` parameter, else Expires (§10.2.4).
    private func grantedExpires(_ r: SIPResponse) -> UInt32 {
        if case .addresses(let contacts)? = try? r.headers.contact() {
            let ours = contacts.first { $0.uri.host.caseInsensitiveEquals(configuration.contact.host) && $0.uri.port == configuration.contact.port && $0.uri.user == configuration.contact.user }
            if let e = ours?.expires { return e }
        }
        return (try? r.headers.expires()) ?? requestedExpires
    }

    private mutating func backOff(_ reason: String, delay: Duration? = nil) -> [Action] {
        failures += 1
        lastError = reason
        state = .backingOff(reason: reason)
        let wait = delay ?? backoffDelay()
        return [.stateChanged(state, lastError: reason), .startRetryTimer(wait)]
    }

    /// base·2^(n-1) capped at the maximum, then ±20 % jitter so many clients do not retry together.
    func backoffDelay() -> Duration {
        let base = Double(configuration.baseBackoff.components.seconds) + Double(configuration.baseBackoff.components.attoseconds) / 1e18
        let cap = Double(configuration.maxBackoff.components.seconds)
        let raw = min(cap, base * pow2(failures - 1))
        let jittered = raw * (0.8 + 0.4 * random())
        return .milliseconds(Int64(jittered * 1000))
    }

    private func pow2(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<max(0, min(n, 30)) { v *= 2 }
        return v
    }

    private mutating func finishUnregister(error: String?) -> [Action] {
        lastError = error
        state = .unregistered
        return [.cancelTimers, .stateChanged(.unregistered, lastError: error)]
    }

    private mutating func register(expires: UInt32, next: State) -> [Action] {
        cseq += 1
        var h = SIPHeaders()
        var via = configuration.via
        via.branch = SIPIdentifiers.branch()
        h.append(.via, via.description)
        h.append(.maxForwards, "70")
        h.append(.from, SIPAddress(uri: configuration.addressOfRecord, parameters: [SIPParameter("tag", tag)]).description)
        h.append(.to, SIPAddress(uri: configuration.addressOfRecord).description)
        h.append(.callID, callID)
        h.append(.cseq, CSeq(cseq, .register).description)
        h.append(.contact, SIPAddress(uri: configuration.contact).description)
        h.append(.expires, String(expires))
        h.append(.userAgent, configuration.userAgent)
        h.append(.contentLength, "0")
        let request = SIPRequest(method: .register, uri: configuration.registrar, headers: h)
        var actions: [Action] = []
        if state != next {
            state = next
            actions.append(.stateChanged(next, lastError: lastError))
        }
        return actions + send(request)
    }

    private mutating func send(_ request: SIPRequest) -> [Action] {
        if let sent = try? request.headers.cseq() { cseq = max(cseq, sent.sequence) }
        lastRequest = request
        return [.send(request)]
    }
}
