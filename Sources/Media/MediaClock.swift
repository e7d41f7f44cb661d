import NIOCore

/// One clock per media event loop (DESIGN.md): every 20 ms it asks each stream to send its
/// frame, flushes once, then has each stream play one received frame out of its jitter buffer. Ticks are scheduled at absolute deadlines (start + n × 20 ms),
/// so lateness in one tick is not carried into the next; after a stall of more than five
/// frames the grid restarts from now instead of bursting to catch up.
public final class MediaClock: @unchecked Sendable {
    public let eventLoop: EventLoop
    private var streams: [ObjectIdentifier: RTPAudioStream] = [:]
    private var task: Scheduled<Void>?
    private var start = NIODeadline.now()
    private var tick: Int64 = 0
    private let period = TimeAmount.milliseconds(20)

    public init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// Adds a stream; the clock runs while it has any. Call on `eventLoop`.
    func add(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        streams[ObjectIdentifier(stream)] = stream
        if task == nil {
            start = .now()
            tick = 0
            schedule()
        }
    }

    func remove(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        streams[ObjectIdentifier(stream)] = nil
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
        for stream in streams.values { stream.sendFrame() }
        for stream in streams.values { stream.flush() }
        for stream in streams.values { stream.playFrame() }
        if !streams.isEmpty { schedule() }
    }
}
