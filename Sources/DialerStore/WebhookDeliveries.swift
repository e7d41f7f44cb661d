import Foundation
import GRDB

/// One call event on its way to a status-callback URL: written before any attempt to send
/// it, so a restart resends what was not delivered; retried with backoff until delivered or
/// out of tries (then kept, with its last error, for inspection).
public struct WebhookDelivery: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "webhook_delivery"
    public var id: String
    public var url: String
    /// The JSON body, exactly as signed and sent.
    public var payload: String
    public var attempts: Int
    public var nextAttemptAt: Double
    public var deliveredAt: Double?
    public var lastError: String?
    public var createdAt: Double

    public init(url: String, payload: String, now: Double) {
        id = UUID().uuidString.lowercased()
        (self.url, self.payload, attempts, nextAttemptAt, createdAt) = (url, payload, 0, now, now)
    }
}

extension DialerStore {
    public func enqueue(_ delivery: WebhookDelivery) throws {
        try pool.write { try delivery.insert($0) }
    }

    /// Undelivered events due at `now` with tries left, oldest first.
    public func dueWebhooks(now: Double, maxAttempts: Int, limit: Int) throws -> [WebhookDelivery] {
        try pool.read { db in
            try WebhookDelivery
                .filter(Column("delivered_at") == nil && Column("next_attempt_at") <= now && Column("attempts") < maxAttempts)
                .order(Column("next_attempt_at"), Column("created_at"))
                .limit(limit)
                .fetchAll(db)
        }
    }

    /// Records one try: delivered at `now`, or failed with `error` and due again at `retryAt`.
    public func recordWebhookAttempt(_ id: String, now: Double, error: String?, retryAt: Double) throws {
        try pool.write { db in
            guard var delivery = try WebhookDelivery.fetchOne(db, key: id) else { return }
            delivery.attempts += 1
            if let error {
                delivery.lastError = error
                delivery.nextAttemptAt = retryAt
            } else {
                delivery.deliveredAt = now
            }
            try delivery.update(db)
        }
    }
}
