/// Why a request to control a call in progress (recording, transfer) was not carried out.
public enum CallControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call has not been answered yet.
    case notAnswered
    /// The call's flow records it already (its `record` verb).
    case recordedByFlow
    /// A recording was started on this call before (one per call).
    case alreadyRecorded
    case notRecording
    /// An attended transfer of this call is under way or done.
    case transferUnderWay
    /// A blind transfer asked of a call a peer placed: REFER goes only on calls sipdial placed.
    case inboundTakesNoREFER
    /// The call ended before the request reached it.
    case ended
    /// The audio side or the second call's set-up failed (the problem).
    case media(String)

    public var description: String {
        switch self {
        case .notAnswered: "the call is not answered yet"
        case .recordedByFlow: "the call's flow records it already"
        case .alreadyRecorded: "the call has been recorded already (one recording per call)"
        case .notRecording: "the call is not being recorded"
        case .transferUnderWay: "an attended transfer of this call is under way or done"
        case .inboundTakesNoREFER: "an inbound call cannot be blind-transferred (sipdial sends REFER only on calls it placed); transfer it attended instead"
        case .ended: "the call has ended"
        case .media(let problem): problem
        }
    }
}
