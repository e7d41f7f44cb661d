/// A header value or URI that does not match the RFC 3261 §25 grammar.
///
/// `header` names the header the value came from when known; `position` is the offset of the
/// problem inside the value (in bytes), so callers can turn it into a message offset.
public struct SIPSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var header: String?
    public var position: Int?

    public init(_ reason: String, header: String? = nil, position: Int? = nil) {
        self.reason = reason
        self.header = header
        self.position = position
    }

    public var description: String {
        if let header { return "\(header): \(reason)" }
        return reason
    }
}
