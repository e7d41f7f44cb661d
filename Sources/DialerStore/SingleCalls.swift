import Foundation
import GRDB

extension DialerStore {
    /// Writes the attempt of a call placed on its own (`POST /v1/calls`), committed before
    /// its INVITE leaves like a campaign's. With an `idempotencyKey` already used, nothing is
    /// written and the earlier attempt is returned (`created` false): a client retrying a
    /// POST after a timeout does not dial twice.
    public func beginSingleCall(phone: String, idempotencyKey: String?, now: Double) throws -> (attempt: Attempt, created: Bool) {
        try pool.write { db in
            if let idempotencyKey, let earlier = try Attempt.filter(Column("idempotency_key") == idempotencyKey).fetchOne(db) {
                return (earlier, false)
            }
            let attempt = Attempt(id: UUID().uuidString.lowercased(), campaignCallId: nil, campaignId: nil, phone: phone, number: 1,
                                  status: "dialing", sipCallId: nil, startedAt: now, endedAt: nil, idempotencyKey: idempotencyKey, callbackId: nil)
            try attempt.insert(db)
            return (attempt, true)
        }
    }

    public func attempt(id: String) throws -> Attempt? {
        try pool.read { try Attempt.fetchOne($0, key: id) }
    }

    /// The CDR of an attempt, once it ended.
    public func cdr(attemptID: String) throws -> CDR? {
        try pool.read { try CDR.filter(Column("attempt_id") == attemptID).fetchOne($0) }
    }
}
