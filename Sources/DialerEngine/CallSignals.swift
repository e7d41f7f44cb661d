import NIOCore

/// What happens to one call, in the order it happened, for the call's one owner
/// (`CallAttempt`, `CallBridge`): SIP events, digits, media timeouts and commands are yielded
/// from any thread, and only the owner's loop takes them (`next`), so the call's state has one
/// writer. Timers are NIO tasks scheduled on the signaling loop that yield a signal when they
/// fire, all cancelled when the call ends (`finish`): not `Task.sleep`, whose cancelled sleep
/// keeps its dispatch timer until the deadline (with a one-hour maximum call duration, memory
/// then grew by about 0.8 KB a call in the soak).
///
/// `@unchecked Sendable`: `yield` may come from any thread (the continuation is thread-safe);
/// `next`, `after` and `finish` are called by the owner's loop only.
final class CallSignals<Signal: Sendable>: @unchecked Sendable {
    private let continuation: AsyncStream<Signal>.Continuation
    private var iterator: AsyncStream<Signal>.Iterator
    private let eventLoop: EventLoop
    private var timers: [Scheduled<Void>] = []

    init(eventLoop: EventLoop) {
        let (stream, continuation) = AsyncStream<Signal>.makeStream()
        (self.continuation, iterator, self.eventLoop) = (continuation, stream.makeAsyncIterator(), eventLoop)
    }

    /// Queues `signal` for the owner; false once the call is over (the signal is dropped).
    @discardableResult
    func yield(_ signal: Signal) -> Bool {
        if case .terminated = continuation.yield(signal) { return false }
        return true
    }

    /// The next signal, waiting for one; nil once `finish` was called and all before it were taken.
    func next() async -> Signal? {
        await iterator.next()
    }

    /// Yields `signal` after `seconds` unless the call is over first.
    func after(_ seconds: Double, _ signal: Signal) {
        let continuation = continuation
        timers.append(eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) { continuation.yield(signal) })
    }

    /// The call is over: no signal is taken from now on (`yield` returns false), the timers
    /// are cancelled; `next` still returns the signals queued before.
    func finish() {
        continuation.finish()
        timers.forEach { $0.cancel() }
        timers.removeAll()
    }
}
