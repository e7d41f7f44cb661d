import NIOCore
import SIPCore
import SIPTransaction

extension SIPTransactionLayer {
    /// Sends `request` to the first usable destination and fails over to the next one on a
    /// transport error, a timeout or a 503 (RFC 3263 §4.3), each attempt a new client
    /// transaction with a fresh branch. A 503 with Retry-After also keeps that destination out
    /// of use for later requests until the time has passed (RFC 3261 §21.5.4).
    ///
    /// `handler` sees the provisional responses and the final outcome of the attempt that
    /// ended the search: a non-503 final response, or the last failure when none is left.
    /// `onAttempt` sees each request as sent (with its branch) and where it went, which a
    /// CANCEL for an INVITE needs (§9.1).
    public func sendRequest(_ request: SIPRequest, trying destinations: [SIPDestination],
                            onAttempt: @escaping @Sendable (SIPRequest, SIPDestination) -> Void = { _, _ in },
                            handler: @escaping @Sendable (SIPClientTransactionEvent) -> Void) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.sendRequest(request, trying: destinations, onAttempt: onAttempt, handler: handler) }
            return
        }
        var failover = SIPTargetFailover<SIPDestination, NIODeadline>(targets: destinations)
        attempt(request, failover: &failover, lastFailure: .transportFailed, onAttempt: onAttempt, handler: handler)
    }

    private func attempt(_ request: SIPRequest, failover: inout SIPTargetFailover<SIPDestination, NIODeadline>, lastFailure: SIPClientTransactionEvent,
                         onAttempt: @escaping @Sendable (SIPRequest, SIPDestination) -> Void, handler: @escaping @Sendable (SIPClientTransactionEvent) -> Void) {
        let now = eventLoop.now
        var candidate = failover.next(now: now)
        while let c = candidate, let until = retryAfterBlocks[c], until > now {
            candidate = failover.next(now: now)
        }
        guard let destination = candidate else {
            handler(lastFailure)
            return
        }
        let state = failover
        let fresh = SIPTransactionLayer.withFreshBranch(request)
        onAttempt(fresh, destination)
        sendRequest(fresh, to: destination) { [weak self] event in
            guard let self else { return }
            var next = state
            switch event {
            case .response(let r) where r.statusCode == 503:
                if let seconds = r.headers.retryAfterSeconds() {
                    self.retryAfterBlocks[destination] = self.eventLoop.now + .seconds(seconds)
                }
                next.failed(destination, .serviceUnavailable(retryUntil: nil))
                self.attempt(request, failover: &next, lastFailure: event, onAttempt: onAttempt, handler: handler)
            case .timedOut:
                next.failed(destination, .timeout)
                self.attempt(request, failover: &next, lastFailure: event, onAttempt: onAttempt, handler: handler)
            case .transportFailed:
                next.failed(destination, .transportError)
                self.attempt(request, failover: &next, lastFailure: event, onAttempt: onAttempt, handler: handler)
            case .response:
                handler(event)
            }
        }
    }

    /// Whether `via` holds "branch" in any case, read byte by byte: the check runs for every
    /// request sent, and lower-casing the value and a Foundation search cost more than the rest.
    static func mentionsBranch(_ via: Substring) -> Bool {
        let needle = Array("branch".utf8)
        var matched = 0
        for byte in via.utf8 {
            // OR 0x20 lower-cases a letter; only 'B' and 'b' become 'b', and so on for each
            // letter of the needle, which has no repeated prefix to fall back on.
            let lower = byte | 0x20
            if lower == needle[matched] {
                matched += 1
                if matched == needle.count { return true }
            } else {
                matched = lower == needle[0] ? 1 : 0
            }
        }
        return false
    }

    /// The request with a new branch in its top Via (a new transaction, RFC 3263 §4.3).
    static func withFreshBranch(_ request: SIPRequest) -> SIPRequest {
        var r = request
        guard let index = r.headers.firstIndex(where: { $0.name == .via }) else { return r }
        let value = r.headers[index].value
        let top = value.prefix { $0 != "," }
        if !mentionsBranch(top) {
            // The usual first attempt: a Via built without a branch gets one appended,
            // without parsing and rewriting the whole value.
            r.headers.setValue(top + ";branch=" + SIPIdentifiers.branch() + value.dropFirst(top.count), at: index)
            return r
        }
        guard var via = try? Via(parsing: top) else { return r }
        via.branch = SIPIdentifiers.branch()
        let rest = value.split(separator: ",", maxSplits: 1).dropFirst().first.map { ", " + $0.trimmingSIPWhitespace() } ?? ""
        r.headers.setValue(via.description + rest, at: index)
        return r
    }
}
