/// A call the API places on its own, outside any campaign: the number, the flow it runs
/// once answered, and how it is dialed.
public struct SingleCall: Sendable {
    public var phone: String
    public var flow: CallFlow
    /// The trunk to use; nil: the pacer's choice among all trunks.
    public var trunkID: String?
    public var callerID: String?
    public var ringTimeout: Double
    /// What the flow's `{placeholders}` read.
    public var fields: [String: String]
    /// The client's Idempotency-Key (scoped by the caller); nil: none sent.
    public var idempotencyKey: String?
    /// Where the call's events are POSTed.
    public var statusCallback: String?
    /// What it is for, as live-call statistics count it: call or otp.
    public var kind = "call"

    public init(phone: String, flow: CallFlow, trunkID: String? = nil, callerID: String? = nil, ringTimeout: Double = 30,
                fields: [String: String] = [:], idempotencyKey: String? = nil, statusCallback: String? = nil) {
        (self.phone, self.flow, self.trunkID, self.callerID) = (phone, flow, trunkID, callerID)
        (self.ringTimeout, self.fields, self.idempotencyKey) = (ringTimeout, fields.merging(["phone": phone]) { a, _ in a }, idempotencyKey)
        self.statusCallback = statusCallback
    }

    /// Why a call was not placed.
    public enum Refusal: Error, Sendable, Equatable {
        /// No trunk is configured and no simulator runs.
        case noTrunk
        /// The trunk asked for does not exist.
        case noSuchTrunk
        /// Every trunk that could take it is at its concurrent-call or rate limit.
        case trunksFull
        /// sipdial is shutting down.
        case stopping
    }
}
