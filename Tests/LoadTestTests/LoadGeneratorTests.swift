import NIOCore
import NIOPosix
import SIPUserAgent
import Testing
@testable import LoadTest

/// A placer that answers each call after `answerAfter` and ends it `hold` later, on the loop.
struct FakePlacer: LoadCallPlacer {
    let loop: EventLoop
    let answerAfter: TimeAmount
    let hold: TimeAmount

    func place(_ index: Int, tracker: LoadCallTracker) {
        tracker.sent()
        loop.scheduleTask(in: answerAfter) { tracker.answered() }
        loop.scheduleTask(in: answerAfter + hold) {
            var result = CallResult(outcome: .answered)
            result.sipCode = 200
            result.firstResponse = 0.0005
            result.answered = Double(answerAfter.nanoseconds) / 1e9
            result.ended = Double((answerAfter + hold).nanoseconds) / 1e9
            tracker.finished(result)
        }
    }
}

struct LoadGeneratorTests {
    @Test func offersEveryCallAtTheRateAndWaitsForThem() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let plan = LoadTestPlan(callsPerSecond: 100, length: .calls(50), holdSeconds: 0.05)
        let generator = LoadGenerator(plan: plan, placer: FakePlacer(loop: loop, answerAfter: .milliseconds(5), hold: .milliseconds(50)), loop: loop)
        let outcome = try await generator.run()
        let s = outcome.statistics
        #expect(s.offered == 50 && s.placed == 50 && s.finished == 50 && s.results[.answered] == 50 && outcome.unfinished == 0)
        // 50 calls at 100/s: the last is due at 0.49 s and ends 55 ms later.
        #expect(outcome.elapsed >= 0.54 && outcome.elapsed < 2, "\(outcome.elapsed)")
        #expect(s.answerLatency.valueAtPercentile(50) >= 5_000)
    }

    @Test func aFullConcurrencyLimitBlocksCallsWithoutSlowingTheOffer() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let plan = LoadTestPlan(callsPerSecond: 200, length: .calls(40), maxConcurrent: 2, holdSeconds: 0.1)
        let generator = LoadGenerator(plan: plan, placer: FakePlacer(loop: loop, answerAfter: .milliseconds(1), hold: .milliseconds(100)), loop: loop)
        let outcome = try await generator.run()
        let s = outcome.statistics
        #expect(s.offered == 40 && (s.results[.blocked] ?? 0) >= 30 && s.placed + (s.results[.blocked] ?? 0) == 40, "\(s.results)")
        #expect(outcome.elapsed < 1, "40 calls at 200/s are all due within 0.2 s: \(outcome.elapsed)")
    }

    @Test func callsStillUpAfterTheDrainLimitAreReportedUnfinished() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let plan = LoadTestPlan(callsPerSecond: 100, length: .calls(3), holdSeconds: 60)
        let generator = LoadGenerator(plan: plan, placer: FakePlacer(loop: loop, answerAfter: .milliseconds(1), hold: .seconds(60)), loop: loop,
                                      drainLimit: .milliseconds(100))
        let outcome = try await generator.run()
        #expect(outcome.unfinished == 3 && outcome.statistics.answeredSoFar == 3 && outcome.statistics.finished == 0)
    }

    @Test func eachSecondOfTheTimelineHasTheCallsUpAtItsEnd() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let plan = LoadTestPlan(callsPerSecond: 10, length: .calls(25), holdSeconds: 60)
        let generator = LoadGenerator(plan: plan, placer: FakePlacer(loop: loop, answerAfter: .milliseconds(1), hold: .seconds(60)), loop: loop,
                                      drainLimit: .milliseconds(100))
        let timeline = try await generator.run().statistics.timeline
        // Calls are due at 0, 0.1, 0.2 … s and none ends: 10 (or 11) up after one second, 20 (or 21) after two.
        #expect(timeline.count >= 2 && (10...11).contains(timeline[0].active) && (20...21).contains(timeline[1].active), "\(timeline.map(\.active))")
    }
}
