import Testing
@testable import DialerEngine

/// The pacer's rate over a long run, its wake-ups jittered as a busy event loop makes them.
struct PacingScheduleTests {
    /// A deterministic jitter source (xorshift), so a failure can be replayed.
    struct Jitter {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next(upTo limit: Double) -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state % 1_000_000) / 1_000_000 * limit
        }
    }

    @Test(arguments: [60.0, 600.0, 1_000.0, 7.5])
    func tenMinutesAchieveTheTargetWithinOnePercent(callsPerMinute: Double) {
        var schedule = PacingSchedule(callsPerMinute: callsPerMinute)
        var jitter = Jitter()
        var now = 0.0
        var started = 0
        // The pacer wakes at the next slot plus up to 200 ms of lateness.
        while now < 600 {
            while schedule.take(at: now) { started += 1 }
            now = max(now, schedule.nextSlot!) + jitter.next(upTo: 0.2)
        }
        let achieved = Double(started) / 10
        #expect(abs(achieved - callsPerMinute) / callsPerMinute < 0.01, "achieved \(achieved) per minute")
    }

    @Test func aStallIsForgottenSoNoBurstFollows() {
        var schedule = PacingSchedule(callsPerMinute: 600)
        _ = schedule.take(at: 0)
        // Nothing could start for 30 s (all lines busy). At 30 s only the slots of the last
        // `catchUp` seconds start, not the 300 the stall held back; then the rate resumes.
        var burst = 0
        while schedule.take(at: 30) { burst += 1 }
        #expect(burst == 1 + Int(PacingSchedule.catchUp / 0.1))
        let next = [30.05, 30.1].map { schedule.take(at: $0) }
        #expect(next == [false, true])
    }

    @Test func aNewRateAppliesFromTheNextSlot() {
        var schedule = PacingSchedule(callsPerMinute: 60)
        _ = schedule.take(at: 0)
        #expect(schedule.nextSlot == 1)
        schedule.change(callsPerMinute: 120)
        #expect(schedule.nextSlot == 0.5)
        #expect(schedule.isDue(at: 0.5) && !schedule.isDue(at: 0.49))
    }
}
