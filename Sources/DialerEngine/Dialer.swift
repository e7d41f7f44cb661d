import DialerStore
import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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
    public let trunkMonitor: TrunkMonitor
    public let fallbackRoute: TrunkRoute?
    private let mediaGroup: MultiThreadedEventLoopGroup
    private let running = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let delivering = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Binds the SIP listeners on `loop` (throws when one cannot bind) and prepares the
    /// pacer; nothing is dialed before `start`.
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
        trunkMonitor = TrunkMonitor(sip: sip, store: store, logger: logger, interval: settings.trunkCheckInterval)
        pacer = CampaignPacer(store: store, context: context, liveCalls: liveCalls, webhooks: webhooks, fallbackRoute: settings.fallbackRoute)
        if let flow = settings.inboundFlow {
            let inbound = InboundCalls(store: store, context: context, liveCalls: liveCalls, flow: flow)
            sip.answerInbound { inbound.answer($0) }
        }
    }

    /// Closes the attempts a crash left open, then starts dialing the running campaigns,
    /// sending webhooks and watching the trunks.
    public func start() async throws {
        _ = try await pacer.recoverInterruptedAttempts()
        let pacer = self.pacer
        running.withLockedValue { $0 = Task { await pacer.run() } }
        let webhooks = self.webhooks
        delivering.withLockedValue { $0 = Task { await webhooks.run() } }
        let trunkMonitor = self.trunkMonitor
        Task { await trunkMonitor.run() }
    }

    /// Graceful stop: no new calls; the calls up may finish for `drain` seconds, then the
    /// rest are hung up; registered trunks are unregistered; then the SIP listeners close.
    public func shutdown(drain: Double) async {
        await pacer.stopDialing()
        if let task = running.withLockedValue({ $0 }) {
            let finished = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await task.value; return true }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int64(drain * 1000)))
                    return false
                }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            if !finished {
                context.logger.notice("hanging up the calls still up", metadata: ["count": "\(liveCalls.count)"])
                liveCalls.hangUpAll()
                await task.value
            }
        }
        // Registered trunks are unregistered while the SIP sockets are still open.
        await trunkMonitor.stop()
        // The last events were stored; what is not delivered now goes after the next start.
        await webhooks.stop()
        await delivering.withLockedValue({ $0 })?.value
        await sip.shutdown()
        try? await mediaGroup.shutdownGracefully()
    }
}
