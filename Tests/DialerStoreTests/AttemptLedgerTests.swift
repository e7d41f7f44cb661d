@testable import DialerStore
import Foundation
import GRDB
import Testing

/// The store's crash-safety core: an attempt row is committed before a number is dialed,
/// every attempt is closed with a CDR, and a restart closes what a crash interrupted.
struct AttemptLedgerTests {
    /// The retry rule a campaign's policy gives: `delay` seconds later while tries are left.
    static func retry(now: Double, delay: Double) -> (Campaign, Attempt) -> Double? {
        { campaign, attempt in attempt.number < campaign.maxAttempts ? now + delay : nil }
    }

    static func campaign(_ store: DialerStore, maxAttempts: Int = 3, calls: [(String, Int, Double)]) throws {
        try store.insert(Campaign(id: "c1", name: "reminders", callsPerMinute: 60, maxConcurrent: 10, maxAttempts: maxAttempts, now: 0))
        try store.insert(calls.enumerated().map { i, call in
            CampaignCall(id: "call\(i)", campaignId: "c1", phone: call.0, priority: call.1, dueAt: call.2, now: Double(i))
        })
    }

    /// The lease reads due calls in index order: SQLite sorts nothing, however many calls
    /// share a priority and due time (before: a 180,000-call list leased 6 calls a second).
    @Test func theLeaseOrderIsTheIndexOrder() throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, calls: [("+1001", 0, 10), ("+1002", 0, 10)])
        let plan = try scratch.store.pool.read { db in
            let statement = try CampaignCall.due(campaignID: "c1", now: 100).makePreparedRequest(db).statement
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX campaign_call_due") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test func leasesFollowPriorityThenDueTimeAndSkipWhatIsNotDue() throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, calls: [("+1001", 0, 10), ("+1002", 5, 20), ("+1003", 0, 5), ("+1004", 9, 500)])
        let order = try (0..<4).compactMap { _ in try scratch.store.leaseNextCall(campaignID: "c1", now: 100)?.phone }
        #expect(order == ["+1002", "+1003", "+1001"], "+1004 is not due until 500")
        #expect(try scratch.store.leaseNextCall(campaignID: "c1", now: 100) == nil)
        #expect(try scratch.store.leaseNextCall(campaignID: "c1", now: 500)?.phone == "+1004")
    }

    @Test func theAttemptIsCommittedBeforeTheLeaseReturns() throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, calls: [("+1001", 0, 0)])
        let attempt = try #require(try scratch.store.leaseNextCall(campaignID: "c1", now: 1))
        #expect(attempt.status == "dialing" && attempt.number == 1)
        // Another connection (what a restarted process would open) sees it already.
        let other = try DialerStore(directory: scratch.directory)
        #expect(try other.campaignCall(id: "call0")?.status == "dialing")
        #expect(try other.closeInterruptedAttempts(now: 2, retryAt: Self.retry(now: 2, delay: 60)).map(\.id) == [attempt.id])
    }

    @Test func closingWritesTheCDRAndRetriesOrFinishes() throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, calls: [("+1001", 0, 0), ("+1002", 0, 0)])
        let busy = try #require(try scratch.store.leaseNextCall(campaignID: "c1", now: 1))
        try scratch.store.close(busy, cdr: CDR(attemptId: busy.id, campaignId: "c1", phone: busy.phone, outcome: "busy", sipCode: 486,
                                               startedAt: 1, endedAt: 3), retryAt: 300)
        let answered = try #require(try scratch.store.leaseNextCall(campaignID: "c1", now: 4))
        try scratch.store.close(answered, cdr: CDR(attemptId: answered.id, campaignId: "c1", phone: answered.phone, outcome: "answered",
                                                   sipCode: 200, startedAt: 4, answeredAt: 6, endedAt: 20), retryAt: nil)
        let retried = try #require(try scratch.store.campaignCall(id: busy.campaignCallId!))
        #expect(retried.status == "pending" && retried.dueAt == 300 && retried.lastOutcome == "busy" && retried.attempts == 1)
        #expect(try scratch.store.campaignCall(id: answered.campaignCallId!)?.status == "done")
        #expect(try scratch.store.cdrs(campaignID: "c1").map(\.outcome) == ["busy", "answered"])
        #expect(try scratch.store.leaseNextCall(campaignID: "c1", now: 299) == nil, "the retry waits for its time")
        #expect(try scratch.store.leaseNextCall(campaignID: "c1", now: 300)?.number == 2)
    }

    @Test func aRestartClosesInterruptedAttemptsWithACDRAndRetriesWithinTheLimit() throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, maxAttempts: 2, calls: [("+1001", 0, 0)])
        let first = try #require(try scratch.store.leaseNextCall(campaignID: "c1", now: 1))
        // The process dies mid-call; the next one starts on the same file.
        let restarted = try DialerStore(directory: scratch.directory)
        #expect(try restarted.closeInterruptedAttempts(now: 50, retryAt: Self.retry(now: 50, delay: 60)).count == 1)
        #expect(try restarted.cdrs().map(\.outcome) == ["interrupted"])
        #expect(try restarted.leaseNextCall(campaignID: "c1", now: 100) == nil, "not before the retry delay")
        let second = try #require(try restarted.leaseNextCall(campaignID: "c1", now: 110))
        #expect(second.number == 2 && second.id != first.id)
        // A second crash uses up the campaign's two tries: the number is done, not dialed again.
        let again = try DialerStore(directory: scratch.directory)
        #expect(try again.closeInterruptedAttempts(now: 200, retryAt: Self.retry(now: 200, delay: 60)).count == 1)
        #expect(try again.campaignCall(id: "call0")?.status == "done")
        #expect(try again.leaseNextCall(campaignID: "c1", now: 10_000) == nil)
        #expect(try again.cdrs().count == 2)
    }

    @Test func concurrentLeasesNeverHandOutOneNumberTwice() async throws {
        let scratch = Scratch()
        try Self.campaign(scratch.store, calls: (0..<200).map { ("+1\($0)", 0, 0) })
        let store = scratch.store
        let leased = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var phones: [String] = []
                    while let attempt = try store.leaseNextCall(campaignID: "c1", now: 1) { phones.append(attempt.phone) }
                    return phones
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(leased.count == 200 && Set(leased).count == 200)
    }
}
