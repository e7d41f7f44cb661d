import Foundation
import GRDB

/// One try at one number: written, committed, before the INVITE leaves, and closed with its
/// CDR. An attempt still `dialing` when sipdial starts is one a crash interrupted.
public struct Attempt: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "attempt"
    public var id: String
    public var campaignCallId: String?
    public var campaignId: String?
    public var phone: String
    /// 1 for the first try of the number, 2 for the first retry ...
    public var number: Int
    /// dialing, ended, interrupted
    public var status: String
    public var sipCallId: String?
    public var startedAt: Double
    public var endedAt: Double?
}

/// The call detail record of one attempt.
public struct CDR: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "cdr"
    public var id: String
    public var attemptId: String?
    public var campaignId: String?
    public var phone: String
    public var trunkId: String?
    public var sipCallId: String?
    /// answered, busy, no-answer, rejected, unreachable, cancelled, dnd, interrupted
    public var outcome: String
    public var sipCode: Int?
    public var q850Cause: Int?
    public var reason: String?
    public var startedAt: Double
    public var answeredAt: Double?
    public var endedAt: Double
    public var dtmf: String?
    /// JSON: the answers an IVR flow collected.
    public var answers: String?
    public var recording: String?
    /// JSON: the RTP figures.
    public var rtp: String?
    public var amd: String?

    public init(id: String = UUID().uuidString, attemptId: String?, campaignId: String?, phone: String, outcome: String,
                sipCode: Int? = nil, q850Cause: Int? = nil, reason: String? = nil, startedAt: Double, answeredAt: Double? = nil, endedAt: Double) {
        self.id = id
        self.attemptId = attemptId
        self.campaignId = campaignId
        self.phone = phone
        self.outcome = outcome
        self.sipCode = sipCode
        self.q850Cause = q850Cause
        self.reason = reason
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
    }
}

extension DialerStore {
    /// Leases the next due number of a campaign, in one write transaction: the pending call
    /// with the highest priority, then the earliest due time, at or before `now`, becomes
    /// `dialing`, its try count grows, and its attempt row is written. The caller sends the
    /// INVITE only after this returns, so a crash at any point either left the number pending
    /// (nothing was sent) or left an attempt to close as interrupted — never a second dial of
    /// the same try. Nil when nothing is due.
    public func leaseNextCall(campaignID: String, now: Double) throws -> Attempt? {
        try pool.write { db in
            guard var call = try CampaignCall
                .filter(Column("campaign_id") == campaignID && Column("status") == "pending" && Column("due_at") <= now)
                .order(Column("priority").desc, Column("due_at"), Column("created_at"))
                .fetchOne(db) else { return nil }
            call.status = "dialing"
            call.attempts += 1
            call.updatedAt = now
            try call.update(db)
            let attempt = Attempt(id: UUID().uuidString, campaignCallId: call.id, campaignId: campaignID, phone: call.phone,
                                  number: call.attempts, status: "dialing", sipCallId: nil, startedAt: now, endedAt: nil)
            try attempt.insert(db)
            return attempt
        }
    }

    /// Closes an attempt and writes its CDR in one transaction; its number is dialed again at
    /// `retryAt`, or is done when that is nil.
    public func close(_ attempt: Attempt, cdr: CDR, retryAt: Double?) throws {
        try pool.write { db in
            var ended = attempt
            ended.status = "ended"
            ended.endedAt = cdr.endedAt
            ended.sipCallId = cdr.sipCallId
            try ended.update(db)
            try cdr.insert(db)
            try reschedule(attempt.campaignCallId, outcome: cdr.outcome, retryAt: retryAt, now: cdr.endedAt, db: db)
        }
    }

    /// After a restart: every attempt still `dialing` was cut off by the crash. Each is closed
    /// as `interrupted` with a CDR saying so, and its number is retried `retryDelay` seconds
    /// from now while its campaign allows more tries. Returns the attempts closed.
    public func closeInterruptedAttempts(now: Double, retryDelay: Double) throws -> [Attempt] {
        try pool.write { db in
            let open = try Attempt.filter(Column("status") == "dialing").fetchAll(db)
            for var attempt in open {
                attempt.status = "interrupted"
                attempt.endedAt = now
                try attempt.update(db)
                try CDR(attemptId: attempt.id, campaignId: attempt.campaignId, phone: attempt.phone, outcome: "interrupted",
                        reason: "sipdial stopped during the call", startedAt: attempt.startedAt, endedAt: now).insert(db)
                let maxAttempts = try attempt.campaignId.flatMap { try Campaign.fetchOne(db, key: $0)?.maxAttempts } ?? 1
                let retry = attempt.number < maxAttempts ? now + retryDelay : nil
                try reschedule(attempt.campaignCallId, outcome: "interrupted", retryAt: retry, now: now, db: db)
            }
            return open
        }
    }

    private func reschedule(_ callID: String?, outcome: String, retryAt: Double?, now: Double, db: Database) throws {
        guard let callID, var call = try CampaignCall.fetchOne(db, key: callID) else { return }
        call.lastOutcome = outcome
        call.updatedAt = now
        if let retryAt {
            call.status = "pending"
            call.dueAt = retryAt
        } else {
            call.status = "done"
        }
        try call.update(db)
    }

    /// The CDRs written, oldest first.
    public func cdrs(campaignID: String? = nil) throws -> [CDR] {
        try pool.read { db in
            var request = CDR.order(Column("started_at"))
            if let campaignID { request = request.filter(Column("campaign_id") == campaignID) }
            return try request.fetchAll(db)
        }
    }
}
