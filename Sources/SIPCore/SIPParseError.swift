/// Why a message could not be framed or parsed, with the byte offset in the input where the
/// problem was found.
public struct SIPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case empty
        case messageTooLarge
        case lineTooLong
        case tooManyHeaders
        case malformedStartLine
        case unsupportedVersion
        case malformedHeader
        case invalidUTF8
        case invalidContentLength
        case conflictingContentLength
        case missingContentLength
        case truncatedBody
        case incompleteHeaders
    }

    public var kind: Kind
    public var offset: Int
    public var detail: String
    /// What was read before the error: enough of a request, when the start line was one, to
    /// answer it with an error response (RFC 3261 §8.2, RFC 4475 §3.1.2).
    public var partial: SIPPartialMessage?

    public init(_ kind: Kind, offset: Int, _ detail: String, partial: SIPPartialMessage? = nil) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
        self.partial = partial
    }

    public var description: String { "\(detail) (byte \(offset))" }
}

/// The start of a message that failed to parse: whether it looked like a request, its method
/// if readable, and the headers read.
public struct SIPPartialMessage: Sendable, Equatable {
    public var isRequest: Bool
    public var method: SIPMethod?
    public var headers: SIPHeaders
}
