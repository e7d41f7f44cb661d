/// What a UAS must do with a message: the problems found (first one decisive) and the answer.
public struct SIPVerdict: Sendable, Equatable {
    /// One problem: where it is and whether it makes the message malformed (a syntax error)
    /// or only unacceptable (well-formed but refused, RFC 4475 §3.3).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var header: String?
        public var offset: Int?
        public var malformed: Bool

        public var description: String {
            var out = header.map { "\($0): \(message)" } ?? message
            if let offset { out += " (byte \(offset))" }
            return out
        }
    }

    public enum Disposition: Sendable, Equatable {
        /// Process it normally.
        case accept
        /// Answer the request with this error response (status, reason, extra header fields).
        case reject(status: Int, reason: String, headers: [SIPHeaderField])
        /// Drop it silently: a response that fails the checks, an ACK, or a message too broken to answer.
        case discard
    }

    public var problems: [Problem]
    public var disposition: Disposition

    /// No syntax problem was found (semantic refusals do not count).
    public var isWellFormed: Bool { !problems.contains { $0.malformed } }

    /// The status code to answer with, when the request is rejected.
    public var responseStatus: Int? {
        if case .reject(let status, _, _) = disposition { return status }
        return nil
    }

    public static let accept = SIPVerdict(problems: [], disposition: .accept)
}
