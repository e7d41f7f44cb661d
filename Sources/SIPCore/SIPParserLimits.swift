/// Size limits applied while parsing, so that hostile input costs bounded memory and time.
/// Defaults fit any real SIP traffic: a datagram is at most 65,535 bytes (RFC 3261 §18.1.1
/// lets UDP carry up to the path MTU, IP caps it there), longreq.dat of RFC 4475 has 34 Vias.
public struct SIPParserLimits: Sendable, Equatable {
    /// Largest whole message (start line, headers and body) in bytes.
    public var maxMessageSize: Int = 65_535
    /// Largest number of header lines (after unfolding).
    public var maxHeaderCount: Int = 256
    /// Longest single line, and longest unfolded header, in bytes.
    public var maxLineLength: Int = 16_384

    public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 256, maxLineLength: Int = 16_384) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxLineLength = maxLineLength
    }

    public static let `default` = SIPParserLimits()
}
