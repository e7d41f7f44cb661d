import NIOCore
import Synchronization

/// One clock per media event loop (DESIGN.md): every 20 ms it asks each stream to send its
/// frame, flushes once, then has each stream play one received frame out of its jitter buffer. Ticks are scheduled at absolute deadlines (start + n × 20 ms),
/// so lateness in one tick is not carried into the next; after a stall of more than five
/// frames the grid restarts from now instead of bursting to catch up.
public final class MediaClock: @unchecked Sendable {
    public let eventLoop: EventLoop
    /// The streams ticked, in the order they were added (an array: the clock walks it three
    /// times a tick, and walking a dictionary's values costs more per element).
    private var streams: [RTPAudioStream] = []
    private var task: Scheduled<Void>?
    private var start = NIODeadline.now()
    private var tick: Int64 = 0
    private let period = TimeAmount.milliseconds(20)

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// Every event loop's one clock, made on first use and kept for the life of the process
    /// (event loops live as long).
    private static let clocks = Mutex<[ObjectIdentifier: MediaClock]>([:])

    /// The clock of `eventLoop`: all streams on a loop tick together.
    public static func of(_ eventLoop: EventLoop) -> MediaClock {
        clocks.withLock { clocks in
            if let clock = clocks[ObjectIdentifier(eventLoop)] { return clock }
            let clock = MediaClock(eventLoop: eventLoop)
            clocks[ObjectIdentifier(eventLoop)] = clock
            return clock
        }
    }

    /// Adds a stream; the clock runs while it has any. Call on `eventLoop`.
    func add(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        guard !streams.contains(where: { $0 === stream }) else { return }
        streams.append(stream)
        if task == nil {
            start = .now()
            tick = 0
            schedule()
        }
    }

    func remove(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        streams.removeAll { $0 === stream }
        if streams.isEmpty {
            task?.cancel()
            task = nil
        }
    }

    private func schedule() {
        tick += 1
        var deadline = start + period * tick
        if NIODeadline.now() - deadline > period * 5 {
            start = .now()
            tick = 1
            deadline = start + period
        }
        task = eventLoop.scheduleTask(deadline: deadline) { [weak self] in self?.fire() }
    }

    private func fire() {
        for stream in streams { stream.sendFrame() }
        for stream in streams { stream.flush() }
        for stream in streams { stream.playFrame() }
        if !streams.isEmpty { schedule() }
    }
}
