@testable import DialerStore
import Testing

/// Calls placed on their own: a retried POST with the same idempotency key dials nothing new.
struct SingleCallsTests {
    @Test func anIdempotencyKeyGivesBackTheFirstAttempt() throws {
        let scratch = Scratch()
        let (first, created) = try scratch.store.beginSingleCall(phone: "+1", idempotencyKey: "k", now: 1)
        let (again, createdAgain) = try scratch.store.beginSingleCall(phone: "+1", idempotencyKey: "k", now: 2)
        #expect(created && !createdAgain && again.id == first.id)
        let (other, _) = try scratch.store.beginSingleCall(phone: "+1", idempotencyKey: nil, now: 3)
        #expect(other.id != first.id && other.status == "dialing")
        #expect(try scratch.store.attempt(id: first.id)?.startedAt == 1)
        #expect(try scratch.store.cdr(attemptID: first.id) == nil, "no CDR before the call ends")
    }
}
