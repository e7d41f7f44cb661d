/// Why a session description was refused, with the 1-based line where the problem is.
public struct SDPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "SDP line \(line): \(reason)" }
}
