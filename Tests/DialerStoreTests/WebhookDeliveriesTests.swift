@testable import DialerStore
import Testing

/// The webhook queue: due deliveries oldest first, a failure due again later, a delivery
/// never sent twice, a delivery out of tries kept but not due.
struct WebhookDeliveriesTests {
    @Test func failuresComeBackLaterAndDeliveredOnesNever() throws {
        let scratch = Scratch()
        let first = WebhookDelivery(url: "http://a", payload: "{}", now: 1)
        let second = WebhookDelivery(url: "http://b", payload: "{}", now: 2)
        try scratch.store.enqueue(second)
        try scratch.store.enqueue(first)
        #expect(try scratch.store.dueWebhooks(now: 5, maxAttempts: 3, limit: 10).map(\.id) == [first.id, second.id])
        try scratch.store.recordWebhookAttempt(first.id, now: 5, error: "HTTP 500", retryAt: 50)
        try scratch.store.recordWebhookAttempt(second.id, now: 5, error: nil, retryAt: 50)
        #expect(try scratch.store.dueWebhooks(now: 10, maxAttempts: 3, limit: 10).isEmpty)
        let again = try scratch.store.dueWebhooks(now: 50, maxAttempts: 3, limit: 10)
        #expect(again.map(\.id) == [first.id] && again[0].attempts == 1 && again[0].lastError == "HTTP 500")
        #expect(try scratch.store.dueWebhooks(now: 50, maxAttempts: 1, limit: 10).isEmpty, "out of tries")
    }
}
