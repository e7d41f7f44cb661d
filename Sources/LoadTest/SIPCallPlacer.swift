import Media
import NIOCore
import SIPTransport
import SIPUserAgent

/// Places the calls of a load test as SIP calls: each one an `OutboundCall` from the template
/// of one of the shards (in turn, so the signaling of several event loops shares the load),
/// hung up `holdSeconds` after its answer (or after its prompt has played once when the hold
/// is 0). With `media`, each call binds its own RTP stream, plays the prompt for the whole
/// hold, and reports its RTP figures; without, the offer is the template's and no RTP runs.
public struct SIPCallPlacer: LoadCallPlacer {
    /// The audio of each call: the prompt, where RTP ports come from, and on which loops.
    public struct MediaSettings: Sendable {
        public var prompt: WAVAudio
        public var ports: RTPPortAllocator
        public var host: String
        public var rtpTimeout: Double
        public var group: EventLoopGroup

        public init(prompt: WAVAudio, ports: RTPPortAllocator, host: String, rtpTimeout: Double, group: EventLoopGroup) {
            self.prompt = prompt
            self.ports = ports
            self.host = host
            self.rtpTimeout = rtpTimeout
            self.group = group
        }
    }

    /// One signaling endpoint the calls go out from: its call template (Via, Contact, From
    /// name its address), its dialogs, and its resolver, all on one event loop.
    public struct Shard: Sendable {
        public var template: OutboundCall.Configuration
        public var dispatcher: SIPSessionDispatcher
        public var resolver: SIPTargetResolver

        public init(template: OutboundCall.Configuration, dispatcher: SIPSessionDispatcher, resolver: SIPTargetResolver) {
            self.template = template
            self.dispatcher = dispatcher
            self.resolver = resolver
        }

        var loop: EventLoop { dispatcher.transactions.eventLoop }
    }

    /// Call `i` goes out from shard `i % shards.count`.
    public let shards: [Shard]
    public let holdSeconds: Double
    public let media: MediaSettings?

    public init(shards: [Shard], holdSeconds: Double, media: MediaSettings?) {
        precondition(!shards.isEmpty, "a placer needs at least one shard")
        self.shards = shards
        self.holdSeconds = holdSeconds
        self.media = media
    }

    public func place(_ index: Int, tracker: LoadCallTracker) {
        let shard = shards[index % shards.count]
        guard let media else {
            let start: @Sendable () -> Void = { LoadCall(shard: shard, holdSeconds: holdSeconds, tracker: tracker, media: nil).start(shard.template) }
            return shard.loop.inEventLoop ? start() : shard.loop.execute(start)
        }
        Task {
            do {
                let audio = try CallMedia.prepare(playback: media.prompt, repeatCount: holdSeconds > 0 ? 0 : 1, record: nil, recordBoth: false,
                                                        rtpTimeout: media.rtpTimeout, dtmfMode: .rfc4733, rtpPorts: media.ports,
                                                        host: media.host, group: media.group)
                var config = shard.template
                config.offer = AudioOffer(address: media.host, port: audio.localPort, preferences: shard.template.offer.preferences.withFreshKeys())
                shard.loop.execute { [config] in LoadCall(shard: shard, holdSeconds: holdSeconds, tracker: tracker, media: audio).start(config) }
            } catch {
                tracker.finished(CallResult(outcome: .unreachable("no RTP port: \(error)")))
            }
        }
    }
}

/// One call of a load test: its user agent, its audio, and the timer that ends it; it lives on
/// its shard's event loop.
private final class LoadCall: @unchecked Sendable {
    let shard: SIPCallPlacer.Shard
    let holdSeconds: Double
    let tracker: LoadCallTracker
    let media: CallMedia?
    var call: OutboundCall?
    var offer: AudioOffer?

    init(shard: SIPCallPlacer.Shard, holdSeconds: Double, tracker: LoadCallTracker, media: CallMedia?) {
        self.shard = shard
        self.holdSeconds = holdSeconds
        self.tracker = tracker
        self.media = media
    }

    func start(_ config: OutboundCall.Configuration) {
        offer = config.offer
        let call = OutboundCall(configuration: config, dispatcher: shard.dispatcher, resolver: shard.resolver) { [self] event in
            self.handle(event)
        }
        self.call = call
        tracker.sent()
        call.start()
    }

    private func handle(_ event: CallEvent) {
        switch event {
        case .answered(let sdp):
            tracker.answered()
            guard let media, let negotiated = offer?.negotiate(answer: sdp) else { return hold() }
            do {
                try media.start(negotiated, onTimeout: { [weak self] in self?.call?.hangUp() }, onDigit: { _ in })
            } catch {
                return hold()
            }
            if holdSeconds > 0 {
                media.playPrompt {}
                hold()
            } else {
                media.playPrompt { [weak self] in self?.call?.hangUp() }
            }
        case .mediaChanged(let negotiated):
            try? media?.update(negotiated)
        case .ended(let result):
            call = nil
            guard let media, media.started else {
                if let media { Task { _ = try? await media.finish() } }
                return tracker.finished(result)
            }
            let tracker = tracker
            Task {
                tracker.finished(result, rtp: try? await media.finish().0)
            }
        case .progress, .earlyMedia, .offerReceived, .offerAnswered, .offerRefused:
            break
        }
    }

    /// Hangs up `holdSeconds` from now.
    private func hold() {
        guard let call else { return }
        shard.dispatcher.transactions.timerWheel.schedule(in: .nanoseconds(Int64(holdSeconds * 1e9))) { call.hangUp() }
    }
}
