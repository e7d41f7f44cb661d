import Foundation
import GRDB

/// A call scheduled for a time (a customer asked to be called back): placed once at
/// `scheduledAt` with its flow, then done with its outcome; cancelled while still scheduled.
public struct Callback: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "callback"
    public var id: String
    public var phone: String
    /// The call flow, JSON.
    public var flow: String
    public var scheduledAt: Double
    /// The zone the client wrote the time in (kept to show it back the same way).
    public var timeZone: String
    /// scheduled, dialing, done, cancelled
    public var status: String
    public var statusCallback: String?
    public var trunkId: String?
    public var callerId: String?
    public var lastOutcome: String?
    /// Set for a click-to-call callback: the agent called first, then `phone`.
    public var agent: String?
    /// A click-to-call callback's recording: off, agent, customer, both.
    public var recording: String?
    public var createdAt: Double
    public var updatedAt: Double

    public init(phone: String, flow: String, scheduledAt: Double, timeZone: String, now: Double) {
        id = UUID().uuidString.lowercased()
        (self.phone, self.flow, self.scheduledAt, self.timeZone) = (phone, flow, scheduledAt, timeZone)
        status = "scheduled"
        (createdAt, updatedAt) = (now, now)
    }
}

extension DialerStore {
    public func insert(_ callback: Callback) throws {
        try pool.write { try callback.insert($0) }
    }

    public func callback(id: String) throws -> Callback? {
        try pool.read { try Callback.fetchOne($0, key: id) }
    }

    /// A page of callbacks by time due, optionally only those in `status`.
    public func callbacks(status: String?, after: String?, limit: Int) throws -> [Callback] {
        try pool.read { db in
            var request = Callback.all()
            if let status { request = request.filter(Column("status") == status) }
            return try page(request, after: after, limit: limit, in: db)
        }
    }

    /// Saves an edited callback while it is still scheduled; false when it is not (it is
    /// being dialed, done or cancelled), and then nothing changes.
    public func updateScheduled(_ callback: Callback) throws -> Bool {
        try pool.write { db in
            guard try Callback.fetchOne(db, key: callback.id)?.status == "scheduled" else { return false }
            try callback.update(db)
            return true
        }
    }

    /// The callback that is due at `now` (the earliest), marked `dialing` with its attempt
    /// written, in one transaction: the same crash safety as a campaign's lease.
    public func leaseDueCallback(now: Double) throws -> (Callback, Attempt)? {
        try pool.write { db in
            guard var callback = try Callback.filter(Column("status") == "scheduled" && Column("scheduled_at") <= now)
                .order(Column("scheduled_at")).fetchOne(db) else { return nil }
            let tries = try Attempt.filter(Column("callback_id") == callback.id).fetchCount(db)
            callback.status = "dialing"
            callback.updatedAt = now
            try callback.update(db)
            let attempt = Attempt(id: UUID().uuidString.lowercased(), campaignCallId: nil, campaignId: nil, phone: callback.phone, number: tries + 1,
                                  status: "dialing", sipCallId: nil, startedAt: now, endedAt: nil, idempotencyKey: nil, callbackId: callback.id)
            try attempt.insert(db)
            return (callback, attempt)
        }
    }

    /// The earliest time a scheduled callback is due, if any.
    public func nextCallbackDue() throws -> Double? {
        try pool.read { try Double.fetchOne($0, sql: "SELECT MIN(scheduled_at) FROM callback WHERE status = 'scheduled'") }
    }

    /// A callback's attempt ended: done with its outcome, or scheduled again at `retryAt`.
    func finishCallback(_ id: String?, outcome: String, retryAt: Double?, now: Double, db: Database) throws {
        guard let id, var callback = try Callback.fetchOne(db, key: id) else { return }
        callback.lastOutcome = outcome
        callback.updatedAt = now
        if let retryAt {
            callback.status = "scheduled"
            callback.scheduledAt = retryAt
        } else {
            callback.status = "done"
        }
        try callback.update(db)
    }
}

extension DialerStore {
    /// The CDRs of a callback's attempts, oldest first.
    public func cdrs(callbackID: String) throws -> [CDR] {
        try pool.read { db in
            try CDR.filter(sql: "attempt_id IN (SELECT id FROM attempt WHERE callback_id = ?)", arguments: [callbackID])
                .order(Column("started_at")).fetchAll(db)
        }
    }
}
