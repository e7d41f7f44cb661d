import DialerStore
import Testing
@testable import DialerEngine

struct RetryPolicyTests {
    @Test func anEmptyPolicyRetriesWithTheDefaults() throws {
        let policy = try RetryPolicy(json: "{}")
        #expect(policy.retryAt(after: .busy, attempt: 1, maxAttempts: 3, now: 1000) == 1300)
        #expect(policy.retryAt(after: .noAnswer, attempt: 2, maxAttempts: 3, now: 1000) == 1600)
        #expect(policy.retryAt(after: .noAnswer, attempt: 3, maxAttempts: 3, now: 1000) == nil, "tries used up")
        #expect(policy.retryAt(after: .interrupted, attempt: 1, maxAttempts: 2, now: 0) == 60)
        for final in [CallDisposition.answered, .dnd, .cancel] {
            #expect(policy.retryAt(after: final, attempt: 1, maxAttempts: 9, now: 0) == nil)
        }
    }

    @Test func aPolicyRetriesExactlyWhatItNames() throws {
        let policy = try RetryPolicy(json: #"{"busy": 30, "no_answer": 0}"#)
        #expect(policy.retryAt(after: .busy, attempt: 1, maxAttempts: 2, now: 10) == 40)
        #expect(policy.retryAt(after: .noAnswer, attempt: 1, maxAttempts: 2, now: 10) == 10)
        #expect(policy.retryAt(after: .failed, attempt: 1, maxAttempts: 2, now: 10) == nil)
    }

    @Test(arguments: [#"{"answered": 10}"#, #"{"busy": "soon"}"#, #"{"busy": -1}"#, #"{"bsy": 10}"#, "[]", "nope"])
    func badPoliciesAreRefused(json: String) {
        #expect(throws: RetryPolicy.Invalid.self) { try RetryPolicy(json: json) }
    }

    @Test(arguments: [
        ("answered", nil, nil, CallDisposition.answered), ("busy", 486, nil, .busy), ("no-answer", 480, 19, .noAnswer),
        ("cancelled", nil, nil, .cancel), ("rejected", 503, nil, .congestion), ("rejected", 404, 34, .congestion),
        ("rejected", 404, 1, .failed), ("unreachable", nil, nil, .channelUnavailable), ("dnd", nil, nil, .dnd),
        ("interrupted", nil, nil, .interrupted),
    ] as [(String, Int?, Int?, CallDisposition)])
    func outcomesMapOntoDispositions(outcome: String, code: Int?, cause: Int?, expected: CallDisposition) {
        #expect(CallDisposition(outcome: outcome, sipCode: code, q850Cause: cause) == expected)
    }
}
