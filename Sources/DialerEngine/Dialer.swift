import DialerStore
import Foundation
import Logging
import Media
import NIOCore
import NIOPosix
import SDP
import ServiceLifecycle
import SIPTransport
import SIPUserAgent

/// The dialer as `serve` runs it: the SIP endpoint, the media loops, the prompts, the
/// campaign pacer and the calls up now, over one store.
public final class Dialer: Sendable {
    public struct Settings: Sendable {
        public var sip: SIPTransportConfiguration
        public var allowedPeers: SIPPeerAllowList
        public var rtpPorts: ClosedRange<Int>
        /// The route calls take while no trunk is configured (the embedded simulator).
        public var fallbackRoute: TrunkRoute?
        /// Seconds between two looks at the trunks (registrations, OPTIONS).
        public var trunkCheckInterval: Double = 30
        /// The flow that answers calls from allowed peers and trunks; nil refuses them (480).
        public var inboundFlow: CallFlow?
        /// SRTP for the calls `inboundFlow` answers: an SRTP offer is answered with SRTP
        /// (`optional`), or a plain one refused (`required`); over tls signaling only unless
        /// `inboundSRTPPlainSignaling`.
        public var inboundSRTP: SRTPPolicy = .optional
        public var inboundSRTPPlainSignaling = false
        /// SCHED_RR priority (1-99) for the media loops' threads; nil leaves them at the
        /// normal priority (`MediaLoops.make`).
        public var mediaRealtimePriority: Int32?

        public init(sip: SIPTransportConfiguration, allowedPeers: SIPPeerAllowList, rtpPorts: ClosedRange<Int>, fallbackRoute: TrunkRoute?) {
            (self.sip, self.allowedPeers, self.rtpPorts, self.fallbackRoute) = (sip, allowedPeers, rtpPorts, fallbackRoute)
        }
    }

    public let store: DialerStore
    public let sip: DialerSIPEndpoint
    public let context: CallContext
    public let pacer: CampaignPacer
    public let liveCalls: LiveCalls
    public let webhooks: WebhookSender
    /// Every call's events, for `GET /v1/events`.
    public let events = CallEventLog()
    public let trunkMonitor: TrunkMonitor
    public let fallbackRoute: TrunkRoute?
    private let inbound: InboundCalls?
    private let mediaGroup: MultiThreadedEventLoopGroup

    /// Binds the SIP listeners on `loop` (throws when one cannot bind) and prepares the
    /// pacer; nothing is dialed before its `services` run.
    public init(store: DialerStore, settings: Settings, loop: EventLoop, logger: Logger) async throws {
        self.store = store
        sip = try await DialerSIPEndpoint.start(configuration: settings.sip, allowedPeers: settings.allowedPeers, eventLoop: loop, logger: logger)
        let (mediaGroup, realtimeFailure) = await MediaLoops.make(threads: max(1, System.coreCount - 1), realtimePriority: settings.mediaRealtimePriority)
        if let realtimeFailure { logger.warning("\(realtimeFailure); media runs at the normal priority") }
        self.mediaGroup = mediaGroup
        let callRecordings = store.directory.appendingPathComponent("call-recordings")
        try FileManager.default.createDirectory(at: callRecordings, withIntermediateDirectories: true)
        let prompts = PromptLibrary(store: store, speechCache: store.directory.appendingPathComponent("tts"))
        context = CallContext(sip: sip, mediaGroup: mediaGroup, rtpPorts: RTPPortAllocator(range: settings.rtpPorts), prompts: prompts,
                              recordingDirectory: callRecordings, logger: logger)
        liveCalls = LiveCalls()
        webhooks = WebhookSender(store: store, secret: try WebhookSender.secret(in: store.directory), logger: logger)
        fallbackRoute = settings.fallbackRoute
        let pacer = CampaignPacer(store: store, context: context, liveCalls: liveCalls, webhooks: webhooks, eventLog: events,
                                  fallbackRoute: settings.fallbackRoute)
        self.pacer = pacer
        trunkMonitor = TrunkMonitor(sip: sip, store: store, logger: logger, interval: settings.trunkCheckInterval, eventLog: events) {
            await pacer.trunkAnswered($0)
        }
        if let flow = settings.inboundFlow {
            let inbound = InboundCalls(store: store, context: context, liveCalls: liveCalls, flow: flow,
                                       srtp: settings.inboundSRTP, srtpPlainSignaling: settings.inboundSRTPPlainSignaling, eventLog: events)
            sip.answerInbound { inbound.answer($0) }
            self.inbound = inbound
        } else {
            inbound = nil
        }
    }

    /// Closes the attempts a crash left open (each gets an `interrupted` CDR and is retried
    /// per its campaign's policy); call before the services run, so that nothing, the API
    /// included, sees them as still dialing.
    public func recoverInterruptedAttempts() async throws {
        _ = try await pacer.recoverInterruptedAttempts()
    }

    /// What `serve` runs beside its HTTP server, in the order they start: the webhook sender,
    /// the trunk monitor and the pacer (`DialingService`: `drain` and `hangUpRounds` say how
    /// it lets the calls up end). A service group shuts them down in reverse: first no new
    /// calls and the calls up end (their CDRs and webhooks written), then registered trunks
    /// are unregistered while the SIP sockets are still open, then the webhook sender stops
    /// (what is not delivered goes after the next start). Then call `close`.
    public func services(drain: Double, hangUpRounds: Int = 10) -> [any Service] {
        [webhooks, trunkMonitor,
         DialingService(pacer: pacer, inbound: inbound, liveCalls: liveCalls, drain: drain, hangUpRounds: hangUpRounds, logger: context.logger)]
    }

    /// Closes the SIP listeners and the media loops, once the services have returned.
    public func close() async {
        await sip.shutdown()
        try? await mediaGroup.shutdownGracefully()
    }
}
