import NIOCore
import SIPCore

/// The driver of `SourceGuard`: requests it does not admit are dropped before any
/// transaction exists, unanswered, counted in the transport's statistics, and each block is
/// logged once, as it starts.
extension SIPTransactionLayer {
    /// Guards new requests with `settings` from now on; sources `exempt` says (trunks,
    /// allowed peers) always pass.
    public func guardSources(_ settings: SourceGuard.Settings, exempt: @escaping @Sendable (SocketAddress) -> Bool) {
        let install = { [self] in
            sourceGuard = SourceGuard(settings: settings)
            isExemptSource = exempt
        }
        if eventLoop.inEventLoop { install() } else { eventLoop.execute(install) }
    }

    /// The sources blocked now, why, and the seconds left on each block.
    public func blockedSources() async throws -> [(source: String, reason: SourceGuard.Reason, secondsLeft: Double)] {
        try await eventLoop.submit { [self] in
            let now = NIODeadline.now()
            return (sourceGuard?.blocked(now: now) ?? []).map { ($0.source, $0.reason, Double(($0.until - now).nanoseconds) / 1e9) }
        }.get()
    }

    /// Whether `request` goes on to the transactions.
    func admits(_ request: SIPRequest, from source: SocketAddress) -> Bool {
        guard sourceGuard != nil, let address = source.ipAddress else { return true }
        let agent = request.headers[.userAgent]
        guard let verdict = sourceGuard?.check(source: address, userAgent: agent, exempt: isExemptSource(source), now: .now()) else { return true }
        guard verdict != .admit else { return true }
        let statistics = transport.statistics
        statistics.bump(\.blockedRequests)
        if case .nowBlocked(let reason, let until) = verdict {
            statistics.bump(reason == .scanner ? \.scannerBlocks : \.floodBlocks)
            let settings = sourceGuard?.settings ?? SourceGuard.Settings()
            let why = reason == .scanner ? "User-Agent '\(agent ?? "")' names a scanner"
                : "more than \(settings.limit ?? 0) requests in \(Double(settings.window.nanoseconds) / 1e9) s"
            logger.warning("SIP source blocked", metadata: [
                "source": "\(address)", "reason": "\(why)", "seconds": "\(Int(((until - .now()).nanoseconds + 500_000_000) / 1_000_000_000))",
            ])
        }
        return false
    }
}
