import Testing
@testable import DialerEngine

/// The loops' sleep: a ring wakes the sleeper early, a ring while nobody sleeps is kept for
/// the next sleep, and without a ring the sleep lasts its time.
///
/// The early wake-ups sleep for two minutes and must end within one: a lost ring fails the
/// test, while a busy machine that is slow to schedule the sleeper (the whole suite starts
/// at once on two cores, which has delayed it by more than ten seconds) does not.
struct AlarmTests {
    @Test
    func aRingWakesTheSleeperAndIsNeverLost() async {
        let alarm = Alarm()
        let clock = ContinuousClock()
        // Kept while nobody sleeps: the next sleep returns at once.
        alarm.ring()
        #expect(await clock.measure { await alarm.sleep(120) } < .seconds(60))
        // Cut short while sleeping.
        let sleeper = Task { await clock.measure { await alarm.sleep(120) } }
        try? await Task.sleep(for: .milliseconds(50))
        alarm.ring()
        #expect(await sleeper.value < .seconds(60))
        // Without a ring it lasts its time (and the ring of the cancelled timer is not kept).
        #expect(await clock.measure { await alarm.sleep(0.2) } >= .milliseconds(190))
    }
}
