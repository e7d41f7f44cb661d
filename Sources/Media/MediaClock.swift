import NIOCore
import Synchronization

/// One clock per media event loop (docs/ARCHITECTURE.md, house rules). Every 20 ms each stream sends its frame,
/// then reads what its RTP socket received since its last tick and plays one received frame
/// out of its jitter buffer; every fifth tick it also reads its RTCP socket and sends a
/// report when one is due.
///
/// The streams are spread over ten phases 2 ms apart (a new stream joins the emptiest), so a
/// loop with 750 calls sends 75 packets every 2 ms instead of 750 in one burst: a packet's
/// send time then varies with the work of the few streams ahead of it in its phase, not
/// with the whole loop's, and the far end receives an even flow. Each phase's ticks are
/// scheduled at absolute deadlines (start + n × 2 ms), so lateness is not carried into the
/// next; after a stall of more than five frames the grid restarts from now instead of
/// bursting to catch up. Phases without streams are skipped.
public final class MediaClock: @unchecked Sendable {
    public let eventLoop: EventLoop
    /// The streams of each phase, in the order they joined (arrays: the clock walks them
    /// every tick, and walking a dictionary's values costs more per element).
    private var phases: [[RTPAudioStream]] = Array(repeating: [], count: Int(MediaClock.phaseCount))
    private var task: Scheduled<Void>?
    private var start = NIODeadline.uptimeNanoseconds(0)
    /// Phase ticks since `start`: the frame tick is `step / phaseCount`, the phase
    /// `step % phaseCount`.
    private var step: Int64 = 0
    private static let period = TimeAmount.milliseconds(20)
    private static let phaseCount: Int64 = 10
    /// 2 ms: the time between two phases.
    private static let phasePeriod = TimeAmount.nanoseconds(period.nanoseconds / phaseCount)
    /// RTCP sockets are read, and reports sent, every this many ticks: reports come every
    /// few seconds, and their kernel arrival time, not the tick, goes into the RTT.
    private let controlEvery: Int64 = 5
    /// Where the streams' sockets are read into, one batch at a time.
    private let batch = DatagramBatch()
    /// Where each stream's outgoing frame is pulled into before it is encoded.
    private var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)

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

    /// Adds a stream to the phase with the fewest; the clock runs while it has any. Call on
    /// `eventLoop`.
    func add(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        guard !phases.contains(where: { $0.contains { $0 === stream } }) else { return }
        let emptiest = phases.indices.min { phases[$0].count < phases[$1].count }!
        phases[emptiest].append(stream)
        if task == nil {
            start = eventLoop.now
            step = 0
            schedule()
        }
    }

    func remove(_ stream: RTPAudioStream) {
        eventLoop.preconditionInEventLoop()
        for phase in phases.indices { phases[phase].removeAll { $0 === stream } }
        if isIdle {
            task?.cancel()
            task = nil
        }
    }

    private var isIdle: Bool { phases.allSatisfy(\.isEmpty) }

    /// Schedules the next phase that has streams (there is one: the clock is not idle).
    private func schedule() {
        repeat { step += 1 } while phases[Int(step % Self.phaseCount)].isEmpty
        var deadline = start + Self.phasePeriod * step
        let now = eventLoop.now
        if now - deadline > Self.period * 5 {
            // Restart the grid at the same phase, so each stream keeps its place in it.
            start = now - Self.phasePeriod * (step % Self.phaseCount)
            step %= Self.phaseCount
            deadline = start + Self.phasePeriod * step
        }
        task = eventLoop.scheduleTask(deadline: deadline) { [weak self] in self?.fire() }
    }

    private func fire() {
        let streams = phases[Int(step % Self.phaseCount)]
        for stream in streams { stream.sendFrame(using: &frame) }
        for stream in streams {
            stream.receiveWaiting(into: batch)
            stream.playFrame()
        }
        if (step / Self.phaseCount) % controlEvery == 0 {
            let now = eventLoop.now
            for stream in streams { stream.controlTick(into: batch, now: now) }
        }
        if !isIdle { schedule() }
    }
}
