import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
@testable import SIPTransport

struct TimerWheelTests {
    /// Schedules `delays` (ms) on a wheel of `slots` × 5 ms, cancels the indexes in `cancelled`,
    /// and returns which fired, in order, with how late each was.
    func run(_ delays: [Int64], cancelled: Set<Int> = [], slots: Int = 4096) async throws -> [(index: Int, lateMs: Double)] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let fired = NIOLockedValueBox<[(Int, Double)]>([])
        let wheel = try await loop.submit { TimerWheel(eventLoop: loop, tick: .milliseconds(5), slots: slots) }.get()
        try await loop.submit {
            let start = NIODeadline.now()
            var timers: [TimerWheel.Timer] = []
            for (i, delay) in delays.enumerated() {
                timers.append(wheel.schedule(in: .milliseconds(delay)) {
                    let late = Double((NIODeadline.now() - start).nanoseconds) / 1e6 - Double(delay)
                    fired.withLockedValue { $0.append((i, late)) }
                })
            }
            for i in cancelled { timers[i].cancel() }
        }.get()
        try await Task.sleep(for: .milliseconds((delays.max() ?? 0) + 100))
        #expect(try await loop.submit { wheel.count }.get() == 0)
        return fired.withLockedValue { $0 }.map { (index: $0.0, lateMs: $0.1) }
    }

    @Test func firesInDeadlineOrderNeverEarlyAtMostATickLate() async throws {
        let fired = try await run([40, 10, 30, 0, 20])
        #expect(fired.map(\.index) == [3, 1, 4, 2, 0])
        // Never early; a tick (5 ms) late at most, plus scheduling noise on a busy machine.
        #expect(fired.allSatisfy { $0.lateMs >= 0 && $0.lateMs < 30 }, "\(fired)")
    }

    @Test func cancelledTimersNeverFire() async throws {
        let fired = try await run([10, 20, 30, 40], cancelled: [1, 3])
        #expect(fired.map(\.index) == [0, 2])
    }

    @Test func timersLongerThanOneTurnWaitForTheirTurn() async throws {
        // 8 slots of 5 ms: one turn is 40 ms; 95 ms is the third turn of slot 3.
        let fired = try await run([95, 15, 55], cancelled: [], slots: 8)
        #expect(fired.map(\.index) == [1, 2, 0])
        #expect(fired.allSatisfy { $0.lateMs >= 0 }, "\(fired)")
    }

    @Test func aTimerScheduledFromATimerRuns() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let wheel = try await loop.submit { TimerWheel(eventLoop: loop) }.get()
        let done = NIOLockedValueBox(false)
        try await loop.submit {
            wheel.schedule(in: .milliseconds(10)) {
                wheel.schedule(in: .zero) { done.withLockedValue { $0 = true } }
            }
        }.get()
        try await Task.sleep(for: .milliseconds(100))
        #expect(done.withLockedValue { $0 })
    }

    /// Time comes from the event loop, so a test loop's manual clock drives the wheel: each
    /// timer fires at the first tick boundary at or after its deadline, none before.
    @Test func aManualClockFiresEachTimerAtItsTick() {
        let loop = EmbeddedEventLoop()
        let wheel = TimerWheel(eventLoop: loop, tick: .milliseconds(5), slots: 8)
        var fired: [String] = []
        wheel.schedule(in: .milliseconds(12)) { fired.append("12 ms") }
        wheel.schedule(in: .milliseconds(50)) { fired.append("50 ms") }
        let cancelled = wheel.schedule(in: .milliseconds(20)) { fired.append("cancelled") }
        cancelled.cancel()
        loop.advanceTime(by: .milliseconds(14))
        #expect(fired.isEmpty)
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired == ["12 ms"])
        loop.advanceTime(by: .milliseconds(34))
        #expect(fired == ["12 ms"])
        loop.advanceTime(by: .milliseconds(1))
        #expect(fired == ["12 ms", "50 ms"] && wheel.count == 0)
    }
}
