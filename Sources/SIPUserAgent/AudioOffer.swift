/// The SDP offer of an audio call until the media engine brings full offer/answer
/// (RFC 4566, RFC 3264): one audio stream offering PCMU (0), PCMA (8) and telephone-event
/// (101, RFC 4733) at 20 ms, sendrecv.
public struct AudioOffer: Sendable, Equatable {
    public var address: String
    public var port: Int
    public var sessionID: UInt64
    /// Incremented on every new offer or answer in the same session (RFC 3264 §8).
    public var version: UInt64

    public init(address: String, port: Int, sessionID: UInt64 = UInt64.random(in: 1...(1 << 40))) {
        self.address = address
        self.port = port
        self.sessionID = sessionID
        self.version = sessionID
    }

    public var sdp: String {
        let family = address.contains(":") ? "IP6" : "IP4"
        return "v=0\r\n"
            + "o=sipdial \(sessionID) \(version) IN \(family) \(address)\r\n"
            + "s=sipdial\r\n"
            + "c=IN \(family) \(address)\r\n"
            + "t=0 0\r\n"
            + "m=audio \(port) RTP/AVP 0 8 101\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n"
            + "a=fmtp:101 0-16\r\n"
            + "a=ptime:20\r\n"
            + "a=sendrecv\r\n"
    }

    public var body: [UInt8] { Array(sdp.utf8) }
}
