import SIPCore

/// The record of one outbound call for the layers above and for `sipdial call --json`: the
/// outcome, the final SIP code, the Q.850 cause, who hung up, and when each step happened
/// (seconds since the INVITE was sent).
public struct CallResult: Sendable, Equatable {
    public enum Party: String, Sendable { case local, remote }

    public var outcome: CallOutcome
    /// The final response to the INVITE (nil when none came).
    public var sipCode: Int?
    public var reason: String?
    /// Q.850 cause from the far end's Reason header (final response, BYE or CANCEL).
    public var q850: Q850Cause?
    /// Who ended an answered call.
    public var hungUpBy: Party?
    /// Seconds from the INVITE to the first provisional response, the first 180/183, the 2xx
    /// and the end.
    public var firstResponse: Double?
    public var ringing: Double?
    public var answered: Double?
    public var ended: Double = 0
    /// The final status of a transfer sipdial asked for (from the far end's NOTIFY, RFC 3515;
    /// 408 when none came).
    public var transferCode: Int?
    /// The provisional status codes seen, in order (100 excluded).
    public var provisionals: [Int] = []

    public init(outcome: CallOutcome) {
        self.outcome = outcome
    }

    /// Seconds the answered call lasted.
    public var talkTime: Double? { answered.map { ended - $0 } }
}
