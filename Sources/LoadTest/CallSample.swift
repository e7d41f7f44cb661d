import Media
import SIPUserAgent

/// What happened to one call of a load test, in seconds from the start of the test.
public struct CallSample: Sendable, Equatable {
    /// How the call ended, in the categories of the report.
    public enum Result: String, Sendable, Codable, CaseIterable {
        case answered, busy, noAnswer = "no_answer", rejected, unreachable, cancelled
        /// Not placed: `maxConcurrent` calls were up when it was due.
        case blocked

        /// The result of an outcome named as `CallOutcome.name` does (and a CDR's `interrupted`).
        public init(outcomeName name: String) {
            switch name {
            case "answered": self = .answered
            case "busy": self = .busy
            case "no-answer": self = .noAnswer
            case "cancelled": self = .cancelled
            case "unreachable", "interrupted": self = .unreachable
            default: self = .rejected
            }
        }
    }

    public var result: Result
    /// When its INVITE went (a blocked call: when it was due).
    public var sentAt: Double
    /// Seconds from the INVITE to the first provisional response and to the 2xx.
    public var firstResponse: Double?
    public var answered: Double?
    /// Seconds from the INVITE to the end of the call.
    public var ended: Double
    /// The final response to the INVITE (nil when none came).
    public var sipCode: Int?
    /// Who ended an answered call.
    public var hungUpBy: CallResult.Party?
    /// The RTP figures of a call that had media.
    public var rtp: RTPStreamStatistics?

    public init(result: Result, sentAt: Double, firstResponse: Double? = nil, answered: Double? = nil,
                ended: Double = 0, sipCode: Int? = nil, hungUpBy: CallResult.Party? = nil, rtp: RTPStreamStatistics? = nil) {
        self.result = result
        self.sentAt = sentAt
        self.firstResponse = firstResponse
        self.answered = answered
        self.ended = ended
        self.sipCode = sipCode
        self.hungUpBy = hungUpBy
        self.rtp = rtp
    }

    /// A call that was not placed because too many were up.
    public static func blocked(at offset: Double) -> CallSample {
        CallSample(result: .blocked, sentAt: offset)
    }

    /// The sample of a placed call from the user agent's result.
    public init(_ call: CallResult, sentAt: Double, rtp: RTPStreamStatistics? = nil) {
        self.init(result: Result(outcomeName: call.outcome.name), sentAt: sentAt, firstResponse: call.firstResponse, answered: call.answered,
                  ended: call.ended, sipCode: call.sipCode, hungUpBy: call.hungUpBy, rtp: rtp)
    }

    /// Seconds the answered call lasted.
    public var talkTime: Double? { answered.map { ended - $0 } }
}
