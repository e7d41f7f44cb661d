@testable import DialerStore
import Testing

/// Callbacks: the earliest due one is leased with its attempt in one transaction, and an
/// edit lands only while it is still scheduled.
struct CallbacksTests {
    @Test func theEarliestDueCallbackIsLeasedWithANumberedAttempt() throws {
        let scratch = Scratch()
        let later = Callback(phone: "+2", flow: "[]", scheduledAt: 200, timeZone: "UTC", now: 0)
        let sooner = Callback(phone: "+1", flow: "[]", scheduledAt: 100, timeZone: "UTC", now: 0)
        try scratch.store.insert(later)
        try scratch.store.insert(sooner)
        #expect(try scratch.store.nextCallbackDue() == 100)
        #expect(try scratch.store.leaseDueCallback(now: 50) == nil)
        let (callback, attempt) = try #require(try scratch.store.leaseDueCallback(now: 250))
        #expect(callback.id == sooner.id && callback.status == "dialing")
        #expect(attempt.callbackId == sooner.id && attempt.number == 1 && attempt.phone == "+1")
        #expect(try scratch.store.attempt(id: attempt.id)?.status == "dialing")
        #expect(try scratch.store.nextCallbackDue() == 200)
    }

    @Test func anEditLandsOnlyWhileTheCallbackIsScheduled() throws {
        let scratch = Scratch()
        var callback = Callback(phone: "+1", flow: "[]", scheduledAt: 100, timeZone: "UTC", now: 0)
        try scratch.store.insert(callback)
        callback.scheduledAt = 300
        #expect(try scratch.store.updateScheduled(callback))
        _ = try scratch.store.leaseDueCallback(now: 300)
        callback.scheduledAt = 900
        #expect(try !scratch.store.updateScheduled(callback))
        #expect(try scratch.store.callback(id: callback.id)?.scheduledAt == 300)
    }
}
