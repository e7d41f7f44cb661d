import Media
import NIOCore
import SIPUserAgent

/// Places one call of a load test. The generator gives each call a `LoadCallTracker` to
/// report its INVITE and its end through.
public protocol LoadCallPlacer: Sendable {
    func place(_ index: Int, tracker: LoadCallTracker)
}

/// Where a placed call reports to: `sent()` when its INVITE goes, `answered()` at its 2xx,
/// then `finished` once.
/// Callable from any thread (on the generator's loop, the signaling calls' own, it records at
/// once); the times are taken when the report is made.
public struct LoadCallTracker: Sendable {
    let index: Int
    let generator: LoadGenerator

    public func sent() {
        let at = generator.now()
        onLoop { $0.sent(index, at: at) }
    }

    public func answered() {
        let at = generator.now()
        onLoop { $0.answered(index, at: at) }
    }

    /// The call ended: `result` (times from its INVITE) and its RTP figures if it had media.
    public func finished(_ result: CallResult, rtp: RTPStreamStatistics? = nil) {
        onLoop { $0.finished(index, result, rtp: rtp) }
    }

    private func onLoop(_ body: @escaping @Sendable (LoadGenerator) -> Void) {
        let generator = generator
        if generator.loop.inEventLoop { body(generator) } else { generator.loop.execute { body(generator) } }
    }
}

/// Runs a `LoadTestPlan`: starts call `i` at `i / rate` seconds from the start, open loop (a
/// late event loop catches up at once; a full `maxConcurrent` blocks the call rather than
/// delaying the next), reports progress every second, and returns the statistics once every
/// placed call has finished or `drainLimit` passed after the last one was due.
/// Its state lives on `loop`.
public final class LoadGenerator: @unchecked Sendable {
    public let plan: LoadTestPlan
    let loop: EventLoop
    private let placer: LoadCallPlacer
    private let drainLimit: TimeAmount
    private var statistics: LoadStatistics
    private var start = NIODeadline.now()
    private var next = 0
    /// The calls up (placed, not finished): when each was due and when its INVITE went, by index.
    private var calls: [Int: (due: Double, sent: Double?)] = [:]
    private var stopped = false
    private var ticker: RepeatedTask?
    /// Progress ticks so far: tick n closes second n - 1 (the repeated task drifts, so the
    /// clock would sometimes name the next second).
    private var ticks = 0
    private var drainTimer: Scheduled<Void>?
    private var progress: (@Sendable (LoadProgress) -> Void)?
    private var done: EventLoopPromise<LoadOutcome>?

    public init(plan: LoadTestPlan, placer: LoadCallPlacer, loop: EventLoop, drainLimit: TimeAmount = .seconds(60)) {
        self.plan = plan
        self.placer = placer
        self.loop = loop
        self.drainLimit = drainLimit
        self.statistics = LoadStatistics(holdSeconds: plan.holdSeconds)
    }

    /// Runs the plan to its end; `progress` gets a snapshot every second (on the loop).
    public func run(progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws -> LoadOutcome {
        try await loop.flatSubmit { () -> EventLoopFuture<LoadOutcome> in
            let promise = self.loop.makePromise(of: LoadOutcome.self)
            self.done = promise
            self.progress = progress
            self.start = .now()
            self.ticker = self.loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in self.tick() }
            self.scheduleNext()
            return promise.futureResult
        }.get()
    }

    /// Stops offering calls (the test ends once the placed ones have finished).
    public func stop() {
        loop.execute {
            self.stopped = true
            self.lastDue()
        }
    }

    func now() -> Double { Double((NIODeadline.now() - start).nanoseconds) / 1e9 }

    private func scheduleNext() {
        guard !stopped else { return }
        guard next < plan.totalCalls else { return lastDue() }
        let index = next
        loop.scheduleTask(deadline: start + .nanoseconds(plan.startOffset(of: index))) { self.due(index) }
    }

    /// Call `index` is due: placed, or blocked by `maxConcurrent`.
    private func due(_ index: Int) {
        guard !stopped else { return }
        next = index + 1
        let at = Double(plan.startOffset(of: index)) / 1e9
        statistics.due(at: at)
        if let limit = plan.maxConcurrent, calls.count >= limit {
            statistics.record(.blocked(at: at))
        } else {
            calls[index] = (at, nil)
            placer.place(index, tracker: LoadCallTracker(index: index, generator: self))
        }
        scheduleNext()
    }

    /// Every call is due: wait for the placed ones at most `drainLimit`.
    private func lastDue() {
        guard drainTimer == nil else { return }
        drainTimer = loop.scheduleTask(in: drainLimit) { self.complete() }
        completeIfDone()
    }

    fileprivate func sent(_ index: Int, at offset: Double) {
        statistics.sent(at: offset)
        calls[index]?.sent = offset
    }

    fileprivate func answered(_ index: Int, at offset: Double) {
        guard let call = calls[index] else { return }
        statistics.answered(at: offset, sent: call.sent ?? call.due)
    }

    fileprivate func finished(_ index: Int, _ result: CallResult, rtp: RTPStreamStatistics?) {
        guard let call = calls.removeValue(forKey: index) else { return }
        statistics.record(CallSample(result, sentAt: call.sent ?? call.due, rtp: rtp))
        completeIfDone()
    }

    private func completeIfDone() {
        if drainTimer != nil, calls.isEmpty { complete() }
    }

    private func tick() {
        ticks += 1
        statistics.active(calls.count, second: ticks - 1)
        progress?(LoadProgress(elapsed: now(), last: ticks - 1, statistics: statistics, active: calls.count))
    }

    private func complete() {
        guard let done else { return }
        self.done = nil
        ticker?.cancel()
        drainTimer?.cancel()
        let elapsed = now()
        done.succeed(LoadOutcome(statistics: statistics, elapsed: elapsed, unfinished: calls.count, stoppedEarly: stopped))
    }
}

/// The statistics of a finished run: how long it took, and the calls still up at its end.
public struct LoadOutcome: Sendable {
    public var statistics: LoadStatistics
    public var elapsed: Double
    public var unfinished: Int
    public var stoppedEarly: Bool
}
