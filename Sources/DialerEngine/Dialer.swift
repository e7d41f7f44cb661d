import DialerStore
import Foundation
import Logging
import Media
import NIOCore
import NIOPosix
import SIPTransport
import SIPUserAgent
import Synchronization

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
    private let inbound: InboundCalls?
    private let mediaGroup: MultiThreadedEventLoopGroup
    private let running = Mutex<Task<Void, Never>?>(nil)
    private let delivering = Mutex<Task<Void, Never>?>(nil)

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
        let pacer = CampaignPacer(store: store, context: context, liveCalls: liveCalls, webhooks: webhooks, fallbackRoute: settings.fallbackRoute)
        self.pacer = pacer
        trunkMonitor = TrunkMonitor(sip: sip, store: store, logger: logger, interval: settings.trunkCheckInterval) { await pacer.trunkAnswered($0) }
        if let flow = settings.inboundFlow {
            let inbound = InboundCalls(store: store, context: context, liveCalls: liveCalls, flow: flow)
            sip.answerInbound { inbound.answer($0) }
            self.inbound = inbound
        } else {
            inbound = nil
        }
    }

    /// Closes the attempts a crash left open, then starts dialing the running campaigns,
    /// sending webhooks and watching the trunks.
    public func start() async throws {
        _ = try await pacer.recoverInterruptedAttempts()
        let pacer = self.pacer
        running.withLock { $0 = Task { await pacer.run() } }
        let webhooks = self.webhooks
        delivering.withLock { $0 = Task { await webhooks.run() } }
        let trunkMonitor = self.trunkMonitor
        Task { await trunkMonitor.run() }
    }

    /// Graceful stop: no new calls; the calls up (campaign, single, click-to-call, inbound)
    /// may finish for `drain` seconds, then every one still up is hung up (BYE, or CANCEL
    /// while ringing), once a second for at most `hangUpRounds` seconds so that a leg placed
    /// meanwhile (a click-to-call's second) is caught too; their CDRs and webhooks are
    /// written; registered trunks are unregistered; then the SIP listeners close. A call
    /// that outlives all that keeps its attempt open, closed as `interrupted` at the next
    /// start.
    public func shutdown(drain: Double, hangUpRounds: Int = 10) async {
        await pacer.stopDialing()
        let (pacing, inbound) = (running.withLock { $0 }, self.inbound)
        let callsEnded = Task {
            await pacing?.value
            await inbound?.waitForAll()
        }
        if await !Self.finished(callsEnded, within: drain) {
            context.logger.notice("hanging up the calls still up", metadata: ["count": "\(liveCalls.count)"])
            var ended = false
            for _ in 0..<hangUpRounds where !ended {
                liveCalls.hangUpAll()
                ended = await Self.finished(callsEnded, within: 1)
            }
            if !ended {
                context.logger.warning("calls still up after hanging up; the next start closes their attempts", metadata: ["count": "\(liveCalls.count)"])
            }
        }
        // Registered trunks are unregistered while the SIP sockets are still open.
        await trunkMonitor.stop()
        // The last events were stored; what is not delivered now goes after the next start.
        await webhooks.stop()
        await delivering.withLock({ $0 })?.value
        await sip.shutdown()
        try? await mediaGroup.shutdownGracefully()
    }

    /// Whether `task` ends within `seconds`; it goes on either way. (A task group would not
    /// do: it waits for all its children, and awaiting a task's value ignores cancellation.)
    private static func finished(_ task: Task<Void, Never>, within seconds: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            let once = Once()
            let resume: @Sendable (Bool) -> Void = { value in if once.claim() { continuation.resume(returning: value) } }
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(Int64(max(seconds, 0) * 1000)))
                resume(false)
            }
            Task {
                await task.value
                resume(true)
                timer.cancel()
            }
        }
    }
}
