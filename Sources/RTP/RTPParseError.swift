/// Why an RTP or RTCP packet was dropped: malformed packets are counted and dropped,
/// never trusted (RFC 3550 §A.1, §A.2 validity checks).
public enum RTPParseError: Error, Sendable, Equatable {
    case tooShort(Int)
    case badVersion(UInt8)
    case badPadding
    case badLength
    case notRTCP
}
