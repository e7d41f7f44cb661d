import SIPCore
import SIPTransaction

/// Drives a transaction's timers on a manual clock: no sleeps, no sockets. It records every
/// action with the (virtual) time it happened at.
struct ManualTimerDriver {
    var now: Duration = .zero
    var armed: [SIPTimer: Duration] = [:]
    var log: [(at: Duration, action: SIPTransactionAction)] = []

    mutating func apply(_ actions: [SIPTransactionAction]) {
        for a in actions {
            log.append((now, a))
            switch a {
            case .startTimer(let t, let d): armed[t] = now + d
            case .cancelTimer(let t): armed[t] = nil
            default: break
            }
        }
    }

    /// Advances to `time`, firing due timers in deadline order through `fire`.
    mutating func advance(to time: Duration, fire: (SIPTimer) -> [SIPTransactionAction]) {
        while let (timer, deadline) = armed.min(by: { $0.value < $1.value }), deadline <= time {
            now = deadline
            armed[timer] = nil
            apply(fire(timer))
        }
        now = time
    }

    /// Times at which a request or response was sent.
    var sendTimes: [Double] {
        log.compactMap { if case .send = $0.action { return $0.at.seconds } else { return nil } }
    }

    var sent: [SIPMessage] {
        log.compactMap { if case .send(let m) = $0.action { return m } else { return nil } }
    }

    func count(_ predicate: (SIPTransactionAction) -> Bool) -> Int {
        log.filter { predicate($0.action) }.count
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

enum Fixtures {
    static func request(_ method: SIPMethod, branch: String = "z9hG4bK-abc", sentBy: String = "192.0.2.1:5060", toTag: String? = nil, cseq: UInt32 = 1) -> SIPRequest {
        var h = SIPHeaders()
        h.append(.via, "SIP/2.0/UDP \(sentBy);branch=\(branch)")
        h.append(.maxForwards, "70")
        h.append(.from, "<sip:alice@example.com>;tag=from1")
        h.append(.to, "<sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""))
        h.append(.callID, "call-1@example.com")
        h.append(.cseq, "\(cseq) \(method.rawValue)")
        h.append(.contentLength, "0")
        return SIPRequest(method: method, uri: try! SIPURI(parsing: "sip:bob@example.com"), headers: h)
    }

    static func response(_ status: Int, to request: SIPRequest, toTag: String? = "to1") -> SIPResponse {
        SIPResponseFactory.response(to: request, status: status, toTag: toTag)
    }
}
