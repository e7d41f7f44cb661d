import Synchronization

/// A sleep another task can cut short: the pacer's and the webhook sender's loops wait on
/// it until their next due time or until there is new work. A ring while nobody sleeps is
/// kept, so the next sleep returns at once and no wake-up is lost.
final class Alarm: Sendable {
    private struct State {
        var sleeper: CheckedContinuation<Void, Never>?
        var timer: Task<Void, Never>?
        var rung = false
    }

    private let state = Mutex(State())

    /// Returns after `seconds`, or sooner at a `ring`.
    func sleep(_ seconds: Double) async {
        await withCheckedContinuation { continuation in
            let rung = state.withLock { state -> Bool in
                if state.rung {
                    state.rung = false
                    return true
                }
                state.sleeper = continuation
                return false
            }
            if rung { return continuation.resume() }
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                if !Task.isCancelled { self.ring() }
            }
            // A ring may have come before the timer existed: then the timer is not needed.
            let stillSleeping = state.withLock { state -> Bool in
                guard state.sleeper != nil else { return false }
                state.timer = timer
                return true
            }
            if !stillSleeping { timer.cancel() }
        }
    }

    /// Wakes the sleeper now (or the next one to sleep).
    func ring() {
        let (sleeper, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            defer { state = State(rung: state.sleeper == nil) }
            return (state.sleeper, state.timer)
        }
        timer?.cancel()
        sleeper?.resume()
    }
}
