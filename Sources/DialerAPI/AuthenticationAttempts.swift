import NIOCore
import SIPTransport
import Synchronization

/// Failed token attempts per client address (issue #24 item 3): more than `limit` failures
/// within `window` block the address for `block`, and every request from it is then 429,
/// whatever token it carries, so guessing tokens goes nowhere. The counting is
/// `SourceGuard`'s; this is its driver for the REST API, shared by the `/v1` and CPaaS
/// authentication.
final class AuthenticationAttempts: Sendable {
    /// 10 failures within 60 s block an address for 300 s.
    static let defaults: SourceGuard.Settings = {
        var settings = SourceGuard.Settings()
        (settings.limit, settings.window, settings.block, settings.scannerAgents) = (10, .seconds(60), .seconds(300), [])
        return settings
    }()

    private let state: Mutex<SourceGuard>

    init(settings: SourceGuard.Settings = AuthenticationAttempts.defaults) {
        state = Mutex(SourceGuard(settings: settings))
    }

    /// Throws 429 while `client` is blocked.
    func checkNotBlocked(_ client: SocketAddress?) throws {
        guard let ip = client?.ipAddress else { return }
        let now = NIODeadline.now()
        let seconds = state.withLock { $0.blockedUntil(ip, now: now) }.map { ($0 - now).nanoseconds / 1_000_000_000 + 1 }
        if let seconds { throw APIError.tooManyAttempts(retryAfter: Int(seconds)) }
    }

    /// Counts a failed attempt from `client`.
    func failed(_ client: SocketAddress?) {
        guard let ip = client?.ipAddress else { return }
        _ = state.withLock { $0.check(source: ip, userAgent: nil, exempt: false, now: .now()) }
    }
}
