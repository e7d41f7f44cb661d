import Logging
import NIOCore
import SIPCore
import SIPTransaction
import SIPTransport

/// The UAS core's duty for a 2xx to an INVITE (RFC 3261 §13.3.1.4): resend it at T1, 2·T1 …
/// capped at T2 until the ACK arrives, and give up after 64·T1. The INVITE server transaction
/// stays in Accepted for that long (RFC 6026 §7.1), so each resend goes through it.
/// Confined to the transaction layer's event loop.
public final class SuccessRetransmitter<Key: Hashable>: @unchecked Sendable {
    private let transactions: SIPTransactionLayer
    private var pending: [Key: TimerWheel.Timer] = [:]

    public init(transactions: SIPTransactionLayer) {
        self.transactions = transactions
    }

    /// Sends `ok` on `tx` and keeps resending it until `acknowledged(key)`; `onGiveUp` runs
    /// when 64·T1 passed without an ACK (the session should then end with BYE, §13.3.1.4).
    public func send(_ ok: SIPResponse, on tx: SIPServerTransaction, key: Key, onGiveUp: @escaping @Sendable () -> Void = {}) {
        transactions.eventLoop.assertInEventLoop()
        tx.respond(ok)
        schedule(ok, on: tx, key: key, interval: transactions.timers.t1, elapsed: .zero, onGiveUp: onGiveUp)
    }

    /// The ACK came: stop resending. False when nothing was pending for `key`.
    @discardableResult
    public func acknowledged(_ key: Key) -> Bool {
        transactions.eventLoop.assertInEventLoop()
        guard let timer = pending.removeValue(forKey: key) else { return false }
        timer.cancel()
        return true
    }

    private func schedule(_ ok: SIPResponse, on tx: SIPServerTransaction, key: Key, interval: Duration, elapsed: Duration, onGiveUp: @escaping @Sendable () -> Void) {
        let timers = transactions.timers
        pending[key] = transactions.timerWheel.schedule(in: interval.timeAmount) { [weak self] in
            guard let self, self.pending[key] != nil else { return }
            let total = elapsed + interval
            if total >= timers.transactionTimeout {
                self.pending[key] = nil
                onGiveUp()
                return
            }
            tx.respond(ok)
            self.schedule(ok, on: tx, key: key, interval: min(interval * 2, timers.t2), elapsed: total, onGiveUp: onGiveUp)
        }
    }
}
