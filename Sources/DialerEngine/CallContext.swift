import Foundation
import Logging
import Media
import NIOCore

/// What the engine shares with every call: the SIP endpoint, the media event loops and RTP
/// ports, the prompts, where recordings go.
public struct CallContext: Sendable {
    public var sip: DialerSIPEndpoint
    public var mediaGroup: EventLoopGroup
    public var rtpPorts: RTPPortAllocator
    public var prompts: PromptLibrary
    /// Where call recordings are written (`<Call-ID>.wav`).
    public var recordingDirectory: URL
    public var logger: Logger

    public init(sip: DialerSIPEndpoint, mediaGroup: EventLoopGroup, rtpPorts: RTPPortAllocator, prompts: PromptLibrary,
                recordingDirectory: URL, logger: Logger) {
        (self.sip, self.mediaGroup, self.rtpPorts, self.prompts) = (sip, mediaGroup, rtpPorts, prompts)
        (self.recordingDirectory, self.logger) = (recordingDirectory, logger)
    }
}
