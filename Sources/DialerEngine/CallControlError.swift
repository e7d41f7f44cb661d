/// Why a request to control a call in progress (recording) was not carried out.
public enum CallControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call has not been answered yet.
    case notAnswered
    /// The call's flow records it already (its `record` verb).
    case recordedByFlow
    /// A recording was started on this call before (one per call).
    case alreadyRecorded
    case notRecording
    /// The call ended before the request reached it.
    case ended
    /// The audio side failed.
    case media(String)

    public var description: String {
        switch self {
        case .notAnswered: "the call is not answered yet"
        case .recordedByFlow: "the call's flow records it already"
        case .alreadyRecorded: "the call has been recorded already (one recording per call)"
        case .notRecording: "the call is not being recorded"
        case .ended: "the call has ended"
        case .media(let problem): "the recording could not start: \(problem)"
        }
    }
}
