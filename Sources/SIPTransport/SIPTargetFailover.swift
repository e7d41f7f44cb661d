/// Walks the destinations of one request in RFC 3263 order, moving to the next on a
/// transport error, a timeout or a 503 (RFC 3263 §4.3). A 503 with Retry-After also keeps
/// that destination out of use until the time has passed (RFC 3261 §21.5.4).
///
/// Pure logic: time comes in as `now` from the caller's clock.
public struct SIPTargetFailover<Target: Hashable & Sendable, Instant: Comparable & Sendable>: Sendable {
    public enum Outcome: Sendable {
        case transportError
        case timeout
        case serviceUnavailable(retryUntil: Instant?)
    }

    private var remaining: [Target]
    private var blockedUntil: [Target: Instant] = [:]

    public init(targets: [Target]) {
        self.remaining = targets
    }

    /// The next target to try, skipping blocked ones; nil when none is left.
    public mutating func next(now: Instant) -> Target? {
        while !remaining.isEmpty {
            let t = remaining.removeFirst()
            if let until = blockedUntil[t], until > now { continue }
            return t
        }
        return nil
    }

    /// Records how `target` failed; the caller then asks `next(now:)` for the one to try.
    public mutating func failed(_ target: Target, _ outcome: Outcome) {
        if case .serviceUnavailable(let until?) = outcome { blockedUntil[target] = until }
    }

    /// Targets still blocked by a Retry-After at `now`, with their deadlines.
    public func blocked(at now: Instant) -> [Target: Instant] {
        blockedUntil.filter { $0.value > now }
    }
}
