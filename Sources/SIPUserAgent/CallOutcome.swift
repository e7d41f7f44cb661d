import SIPCore

/// How an outbound call ended, for the layers above (dialer, CDRs, API). The SIP final code,
/// its reason phrase and the Q.850 cause (RFC 3326 `Reason`) are kept beside it.
public enum CallOutcome: Sendable, Equatable {
    /// A 2xx: the call was up.
    case answered
    /// 486 Busy Here or 600 Busy Everywhere.
    case busy
    /// 408, 480, or the ring timeout ran out and sipdial cancelled (487 follows).
    case noAnswer
    /// Any other final response.
    case rejected(code: Int, reason: String)
    /// No transport, no DNS answer, or no response at all (Timer B).
    case unreachable(String)
    /// sipdial's user cancelled before an answer.
    case cancelled

    /// A short stable name for logs, JSON and CDRs.
    public var name: String {
        switch self {
        case .answered: "answered"
        case .busy: "busy"
        case .noAnswer: "no-answer"
        case .rejected: "rejected"
        case .unreachable: "unreachable"
        case .cancelled: "cancelled"
        }
    }

    /// The outcome a final non-2xx response means (RFC 3261 §21).
    public init(failure response: SIPResponse) {
        switch response.statusCode {
        case 486, 600: self = .busy
        case 408, 480: self = .noAnswer
        default: self = .rejected(code: response.statusCode, reason: response.reasonPhrase)
        }
    }
}

/// A `Reason` value with protocol Q.850 (RFC 3326 §2): the ISDN cause of a hang-up or a
/// failure, read from BYE, CANCEL and final responses, written on sipdial's own BYE and CANCEL.
public struct Q850Cause: Sendable, Equatable, CustomStringConvertible {
    public var cause: Int
    public var text: String?

    public init(_ cause: Int, text: String? = nil) {
        self.cause = cause
        self.text = text
    }

    /// 16: normal call clearing (sipdial hung up after the call).
    public static let normalClearing = Q850Cause(16, text: "Normal call clearing")
    /// 19: no answer from user (the ring timeout ran out).
    public static let noAnswer = Q850Cause(19, text: "No answer from user")
    /// 31: normal, unspecified (sipdial's user cancelled).
    public static let normalUnspecified = Q850Cause(31, text: "Normal unspecified")

    /// The first Q.850 cause among the message's Reason values.
    public init?(_ headers: SIPHeaders) {
        guard let values = try? headers.reasons() else { return nil }
        for v in values where v.value.caseInsensitiveEquals("Q.850") {
            guard let raw = v.parameters[parameter: "cause"] ?? nil, let cause = Int(raw) else { continue }
            self.init(cause, text: (v.parameters[parameter: "text"] ?? nil).map(Self.unquote))
            return
        }
        return nil
    }

    public var description: String {
        var s = "Q.850;cause=\(cause)"
        if let text { s += ";text=\"\(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
        return s
    }

    public var header: SIPHeaderField { SIPHeaderField(.reason, description) }

    private static func unquote(_ s: String) -> String {
        guard s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") else { return s }
        var out = ""
        var escaped = false
        for c in s.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}
