import DialerStore
import Foundation

/// When a number that was not answered is dialed again: after a delay that depends on what
/// happened (its `CallDisposition`), while the campaign's maximum number of attempts allows.
/// Answered and do-not-call numbers are never dialed again.
///
/// Stored as a JSON object `{"busy": 300, "no_answer": 600}` (seconds). An empty object means
/// the defaults below; a non-empty one retries exactly the dispositions it names.
public struct RetryPolicy: Sendable, Equatable {
    public var delays: [CallDisposition: Double]

    /// Busy 5 min, no answer 10 min, congestion and an unreachable trunk 5 min, other
    /// failures 15 min, a call cut by a stop of sipdial 1 min, a fax that failed 5 min (as a
    /// busy line: fax machines are often busy or out of paper); a number the network said is
    /// not in service (`invalid_number`) only when a policy names it.
    public static let defaults: [CallDisposition: Double] = [
        .busy: 300, .noAnswer: 600, .congestion: 300, .channelUnavailable: 300, .failed: 900, .interrupted: 60, .faxFailed: 300,
    ]

    /// Dispositions that are never retried.
    static let final: Set<CallDisposition> = [.answered, .dnd, .cancel]

    public init(delays: [CallDisposition: Double] = RetryPolicy.defaults) {
        self.delays = delays
    }

    public struct Invalid: Error, Sendable, Equatable {
        public var message: String
    }

    /// Reads the stored or posted JSON object.
    public init(json: String) throws(Invalid) {
        guard case .object(let object)? = JSONValue(parsing: json) else {
            throw Invalid(message: "must be an object of disposition: seconds")
        }
        if object.isEmpty {
            self.init()
            return
        }
        var delays: [CallDisposition: Double] = [:]
        for (key, value) in object {
            guard let disposition = CallDisposition(rawValue: key), !Self.final.contains(disposition) else {
                let names = CallDisposition.allCases.filter { !Self.final.contains($0) }.map(\.rawValue)
                throw Invalid(message: "'\(key)' cannot be retried (one of \(names.joined(separator: ", ")))")
            }
            guard case .number(let seconds) = value, seconds >= 0, seconds <= 30 * 86_400 else {
                throw Invalid(message: "'\(key)' must be a number of seconds from 0 to 2592000")
            }
            delays[disposition] = seconds
        }
        self.init(delays: delays)
    }

    /// When attempt number `attempt` (1 for the first) of a number that ended as
    /// `disposition` at `now` is followed by another, or nil when it is not.
    public func retryAt(after disposition: CallDisposition, attempt: Int, maxAttempts: Int, now: Double) -> Double? {
        guard attempt < maxAttempts, let delay = delays[disposition] else { return nil }
        return now + delay
    }
}
