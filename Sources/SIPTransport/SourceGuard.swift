import NIOCore

/// Which requests from the internet get a hearing (issue #24 item 3), decided per source
/// address as Kamailio's pike module and the usual scanner checks do: a request whose
/// User-Agent names a scanning tool blocks its source for `block`, and so does sending more
/// than `limit` requests within `window`; every request from a blocked source is
/// dropped without an answer (an answer would tell the scanner it found something and
/// costs what the block saves). Trunks and allowed peers are exempt. A pure machine: the
/// time is handed in, the driver drops, counts and logs. The SIP endpoint's driver is
/// `SIPTransactionLayer` (every request counts); the REST API's is `AuthenticationAttempts`
/// (only failed token attempts count, and a blocked address gets 429).
public struct SourceGuard: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Requests a source may send within `window` (at least 1); nil: no rate limit.
        public var limit: Int? = 16
        public var window: TimeAmount = .seconds(2)
        public var block: TimeAmount = .seconds(300)
        /// Parts of a User-Agent that mark a scanner, matched without regard to case.
        public var scannerAgents = ["friendly-scanner", "sipcli", "sipvicious", "vaxsipuseragent", "sip-scan", "iwar", "sundayddr", "pplsip"]
        /// Sources tracked at most: past it, sources whose window has passed are forgotten,
        /// and a new one is admitted untracked while none can be.
        public var maxSources = 65_536
        /// IP addresses always admitted, besides the sources the endpoint exempts (`serve`
        /// adds its embedded simulator's).
        public var exemptAddresses: Set<String> = []

        public init() {}
    }

    /// Why a source was blocked.
    public enum Reason: String, Sendable, Equatable {
        /// Its User-Agent names a scanner.
        case scanner
        /// It went over the limit.
        case flood
    }

    public enum Verdict: Sendable, Equatable {
        case admit
        /// The source is blocked: the request is dropped.
        case blocked
        /// This request blocked its source, from now until `until`; it is dropped too.
        case nowBlocked(Reason, until: NIODeadline)
    }

    private struct Source {
        var windowStart: NIODeadline
        var count: Int
        var block: (reason: Reason, until: NIODeadline)?
    }

    public let settings: Settings
    private var sources: [String: Source] = [:]
    /// `settings.scannerAgents` lowercased, empty ones left out: made once, read per request.
    private let scannerNeedles: [String]

    public init(settings: Settings = Settings()) {
        self.settings = settings
        scannerNeedles = settings.scannerAgents.map { $0.lowercased() }.filter { !$0.isEmpty }
    }

    /// The verdict on one request from `source` (its IP address as text). A scanner's first
    /// request blocks its source as a flood does, so what it sends next under another name
    /// is dropped too.
    public mutating func check(source: String, userAgent: String?, exempt: Bool, now: NIODeadline) -> Verdict {
        if exempt || settings.exemptAddresses.contains(source) { return .admit }
        var entry = sources[source]
        if let block = entry?.block {
            if now < block.until { return .blocked }
            entry = nil
        }
        if let userAgent, isScanner(userAgent) {
            guard makeRoom(for: source, now: now) else { return .blocked }
            let until = now + settings.block
            sources[source] = Source(windowStart: now, count: 0, block: (.scanner, until))
            return .nowBlocked(.scanner, until: until)
        }
        guard let limit = settings.limit else { return .admit }
        var counted = entry ?? Source(windowStart: now, count: 0)
        if now >= counted.windowStart + settings.window { (counted.windowStart, counted.count) = (now, 0) }
        counted.count += 1
        if counted.count > limit { counted.block = (.flood, now + settings.block) }
        // A new source that finds no room passes untracked.
        guard entry != nil || makeRoom(for: source, now: now) else { return .admit }
        sources[source] = counted
        return counted.block.map { .nowBlocked(.flood, until: $0.until) } ?? .admit
    }

    /// When the block on `source` ends, if it is blocked at `now`.
    public func blockedUntil(_ source: String, now: NIODeadline) -> NIODeadline? {
        sources[source]?.block.flatMap { now < $0.until ? $0.until : nil }
    }

    /// The sources blocked at `now`, why, and when each block ends.
    public func blocked(now: NIODeadline) -> [(source: String, reason: Reason, until: NIODeadline)] {
        sources.compactMap { key, entry in entry.block.flatMap { $0.until > now ? (key, $0.reason, $0.until) : nil } }.sorted { $0.source < $1.source }
    }

    private func isScanner(_ userAgent: String) -> Bool {
        let agent = userAgent.lowercased()
        return scannerNeedles.contains { agent.contains($0) }
    }

    /// Whether `source` is tracked or may be: past `maxSources`, the sources that are neither
    /// blocked nor inside their window are forgotten first.
    private mutating func makeRoom(for source: String, now: NIODeadline) -> Bool {
        if sources[source] != nil || sources.count < settings.maxSources { return true }
        sources = sources.filter { _, entry in
            if let block = entry.block { return block.until > now }
            return now < entry.windowStart + settings.window
        }
        return sources.count < settings.maxSources
    }
}
