import NIOCore

/// The timers of the SIP layers: many short-lived ones, most cancelled before they fire
/// (RFC 3261 §17 Timers A, B, E, F at every transaction; a ring timeout per call). NIO keeps
/// scheduled tasks in one heap per event loop, where a cancel searches the whole heap; at a
/// thousand calls a second tens of thousands of timers are pending (three 32-second ones per
/// call alone), and scheduling and cancelling took about a fifth of the signaling loop in a
/// profile at 1,200 calls/s. Here a deadline is rounded up to the next `tick` and kept in a ring
/// of slots by tick (a hashed timing wheel): scheduling is an append, cancelling one
/// dictionary removal, and one NIO task at a time wakes the wheel while timers are pending.
///
/// Confined to `eventLoop`: schedule and cancel on it, bodies run on it.
public final class TimerWheel: @unchecked Sendable {
    /// A scheduled body; `cancel()` makes sure it does not run.
    public struct Timer: Sendable {
        fileprivate let id: UInt64
        fileprivate let wheel: TimerWheel

        public func cancel() { wheel.cancel(id) }
    }

    public let eventLoop: EventLoop
    private let tick: Int64
    private let slotCount: Int
    private var slots: [[(id: UInt64, tick: Int64)]]
    private var pending: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 0
    /// The last tick whose slot was processed.
    private var processed: Int64
    private var wake: Scheduled<Void>?

    /// `slots` × `tick` is one turn of the ring; longer timers wait for later turns.
    public init(eventLoop: EventLoop, tick: TimeAmount = .milliseconds(5), slots slotCount: Int = 4096) {
        self.eventLoop = eventLoop
        self.tick = max(tick.nanoseconds, 1)
        self.slotCount = max(slotCount, 1)
        slots = Array(repeating: [], count: slotCount)
        processed = Int64(eventLoop.now.uptimeNanoseconds) / self.tick
    }

    /// Runs `body` on the event loop `delay` from now (up to one tick later).
    @discardableResult
    public func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> Timer {
        eventLoop.preconditionInEventLoop()
        let deadline = Int64(eventLoop.now.uptimeNanoseconds) + max(delay.nanoseconds, 0)
        let due = max((deadline + tick - 1) / tick, processed + 1)
        nextID += 1
        pending[nextID] = body
        slots[Int(due % Int64(slotCount))].append((nextID, due))
        if wake == nil { arm() }
        return Timer(id: nextID, wheel: self)
    }

    /// Timers scheduled and neither fired nor cancelled.
    public var count: Int { pending.count }

    private func cancel(_ id: UInt64) {
        eventLoop.preconditionInEventLoop()
        pending[id] = nil
    }

    /// Wakes at the next tick boundary.
    private func arm() {
        let next = (Int64(eventLoop.now.uptimeNanoseconds) / tick + 1) * tick
        wake = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(next))) { [weak self] in self?.advance() }
    }

    /// Fires what is due in every tick up to now (all of them after a stall), then waits for
    /// the next tick while timers remain.
    private func advance() {
        wake = nil
        let now = Int64(eventLoop.now.uptimeNanoseconds) / tick
        while processed < now {
            processed += 1
            let index = Int(processed % Int64(slotCount))
            guard !slots[index].isEmpty else { continue }
            let entries = slots[index]
            slots[index] = []
            for entry in entries {
                if entry.tick > processed {
                    // A later turn of the ring; a cancelled one is dropped here.
                    if pending[entry.id] != nil { slots[index].append(entry) }
                } else if let body = pending.removeValue(forKey: entry.id) {
                    body()
                }
            }
        }
        if !pending.isEmpty, wake == nil { arm() }
    }
}
