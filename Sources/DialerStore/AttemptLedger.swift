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
    /// A single call's `Idempotency-Key` (with the token's id), unique.
    public var idempotencyKey: String?
    /// The callback this attempt places, if it is one.
    public var callbackId: String?
}

extension DialerStore {
    /// Leases the next due number of a campaign, in one write transaction: the pending call
    /// with the highest priority, then the earliest due time, at or before `now`, becomes
    /// `dialing`, its try count grows, and its attempt row is written. The caller sends the
    /// INVITE only after this returns, so a crash at any point either left the number pending
    /// (nothing was sent) or left an attempt to close as interrupted — never a second dial of
    /// the same try. Nil when nothing is due.
    ///
    /// `mayCall`, when given, is asked with each candidate's contact time zone (nil when the
    /// call has no contact or the contact none) and skips the candidates it refuses: the
    /// calling window in the contact's own zone. Up to `scan` candidates are looked at.
    public func leaseNextCall(campaignID: String, now: Double, scan: Int = 50,
                              mayCall: ((String?) -> Bool)? = nil) throws -> Attempt? {
        try pool.write { db in
            let due = CampaignCall.due(campaignID: campaignID, now: now)
            var chosen: CampaignCall?
            if let mayCall {
                for candidate in try due.limit(scan).fetchAll(db) {
                    let zone = try candidate.contactId.flatMap {
                        try String.fetchOne(db, sql: "SELECT time_zone FROM contact WHERE id = ?", arguments: [$0])
                    }
                    if mayCall(zone) { chosen = candidate; break }
                }
            } else {
                chosen = try due.fetchOne(db)
            }
            guard var call = chosen else { return nil }
            call.status = "dialing"
            call.attempts += 1
            call.updatedAt = now
            try call.update(db)
            let attempt = Attempt(id: UUID().uuidString.lowercased(), campaignCallId: call.id, campaignId: campaignID, phone: call.phone,
                                  number: call.attempts, status: "dialing", sipCallId: nil, startedAt: now, endedAt: nil, idempotencyKey: nil, callbackId: nil)
            try attempt.insert(db)
            return attempt
        }
    }

    /// Writes the Call-ID an attempt's INVITE carries, before the INVITE leaves, so an
    /// interrupted attempt's CDR can name the call the far end saw.
    public func attach(sipCallID: String, to attempt: Attempt) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE attempt SET sip_call_id = ? WHERE id = ?", arguments: [sipCallID, attempt.id])
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
            try finishCallback(attempt.callbackId, outcome: cdr.outcome, retryAt: retryAt, now: cdr.endedAt, db: db)
        }
    }

    /// After a restart: every attempt still `dialing` was cut off by the crash. Each is closed
    /// as `interrupted` with a CDR saying so, and its number is due again at the time `retryAt`
    /// gives for its campaign (the campaign's retry policy), or done when it gives nil; an
    /// interrupted callback is due again a minute later, once.
    /// Returns the attempts closed.
    public func closeInterruptedAttempts(now: Double, retryAt: (Campaign, Attempt) -> Double?) throws -> [Attempt] {
        try pool.write { db in
            let open = try Attempt.filter(Column("status") == "dialing").fetchAll(db)
            for var attempt in open {
                attempt.status = "interrupted"
                attempt.endedAt = now
                try attempt.update(db)
                var cdr = CDR(attemptId: attempt.id, campaignId: attempt.campaignId, phone: attempt.phone, outcome: "interrupted",
                              reason: "sipdial stopped during the call", startedAt: attempt.startedAt, endedAt: now)
                cdr.sipCallId = attempt.sipCallId
                try cdr.insert(db)
                let campaign = try attempt.campaignId.flatMap { try Campaign.fetchOne(db, key: $0) }
                let retry = campaign.flatMap { retryAt($0, attempt) }
                try reschedule(attempt.campaignCallId, outcome: "interrupted", retryAt: retry, now: now, db: db)
                // A callback cut by a stop is placed again a minute later, once.
                try finishCallback(attempt.callbackId, outcome: "interrupted", retryAt: attempt.number < 2 ? now + 60 : nil, now: now, db: db)
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
}
