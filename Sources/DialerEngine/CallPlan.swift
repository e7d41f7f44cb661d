/// One call to place: the number, the trunk, the caller ID, the flow to run once answered
/// and the contact's fields its `{placeholders}` read.
public struct CallPlan: Sendable {
    public var phone: String
    public var route: TrunkRoute
    public var callerID: String?
    public var flow: CallFlow
    public var fields: [String: String]
    /// CANCEL after this long without an answer.
    public var ringTimeout: Double = 45
    /// Hang up when no RTP arrives for this long (0: never).
    public var rtpTimeout: Double = 30
    /// The longest an answered call lasts.
    public var maxDuration: Double = 3600
    /// The call is one a peer placed, answered with the flow (it takes no transfer).
    public var answersInbound = false

    public init(phone: String, route: TrunkRoute, callerID: String? = nil, flow: CallFlow, fields: [String: String] = [:]) {
        (self.phone, self.route, self.callerID, self.flow, self.fields) = (phone, route, callerID, flow, fields)
    }
}
