import DialerEngine
import DialerStore
import Foundation
import Logging
import ServiceLifecycle
import Media
import NIOCore
import SIPTransport
import SIPUserAgent

/// `sipdial loadtest --campaign`: the whole product under load. A store in a scratch data
/// directory gets a trunk pointing at the target and a running campaign of `plan.totalCalls`
/// contacts at `plan.callsPerSecond × 60` calls per minute whose flow plays the prompt (if
/// any), pauses for the hold time and hangs up; a `Dialer` (pacer, flows, media, CDRs) dials
/// it. Progress and the report come from what the store recorded: the CDRs.
public struct CampaignLoadTest: Sendable {
    public struct Settings: Sendable {
        public var target: TrunkRoute
        public var plan: LoadTestPlan
        public var prompt: WAVAudio?
        public var ringTimeout: Double
        public var dataDirectory: URL
        public var sip: SIPTransportConfiguration
        public var rtpPorts: ClosedRange<Int>
        /// The first number called; the contacts are consecutive numbers from here.
        public var firstNumber: Int
        /// Answering-machine detection before the flow on every call (machine action
        /// `continue`); the report counts the verdicts.
        public var amd = false

        public init(target: TrunkRoute, plan: LoadTestPlan, prompt: WAVAudio?, ringTimeout: Double, dataDirectory: URL,
                    sip: SIPTransportConfiguration, rtpPorts: ClosedRange<Int>, firstNumber: Int) {
            self.target = target
            self.plan = plan
            self.prompt = prompt
            self.ringTimeout = ringTimeout
            self.dataDirectory = dataDirectory
            self.sip = sip
            self.rtpPorts = rtpPorts
            self.firstNumber = firstNumber
        }
    }

    public let settings: Settings

    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// Runs the campaign to its end (or until `drainLimit` after it should have ended, or
    /// until `stop` returns true) and returns what the CDRs say, with how long calls were offered.
    public func run(loop: EventLoop, logger: Logger, drainLimit: Double, progress: (@Sendable (LoadProgress) -> Void)?,
                    stop: @escaping @Sendable () -> Bool) async throws -> (LoadOutcome, offerSeconds: Double) {
        let store = try DialerStore(directory: settings.dataDirectory)
        let campaignID = try prepare(store)
        var dialerSettings = Dialer.Settings(sip: settings.sip, allowedPeers: .loopback, rtpPorts: settings.rtpPorts, fallbackRoute: nil)
        dialerSettings.trunkCheckInterval = 3600
        let dialer = try await Dialer(store: store, settings: dialerSettings, loop: loop, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Date().timeIntervalSince1970
        try await dialer.recoverInterruptedAttempts()
        // The dialer's services run in a group of their own, shut down when the campaign is over.
        let services = ServiceGroup(configuration: .init(services: dialer.services(drain: 0), logger: logger))
        async let servicesEnded: Void = services.run()
        // An answered call lasts the prompt and the hold.
        let expected = settings.plan.holdSeconds + (settings.prompt?.duration ?? 0)
        var reader = CDRReader(store: store, campaignID: campaignID, origin: startedAt, hold: expected)
        let planned = Double(settings.plan.startOffset(of: settings.plan.totalCalls)) / 1e9
        var stoppedEarly = false
        var tick = 0
        while true {
            tick += 1
            try await Task.sleep(until: started + .seconds(tick), clock: clock)
            let elapsed = Double(tick)
            try reader.readNew()
            let live = dialer.liveCalls.list
            reader.statistics.active(live.count, second: tick - 1)
            progress?(Self.progress(elapsed: elapsed, origin: startedAt, statistics: reader.statistics, live: live))
            if try store.campaign(id: campaignID)?.status == "completed", dialer.liveCalls.count == 0 { break }
            if stop() { stoppedEarly = true; break }
            if elapsed > planned + drainLimit { break }
        }
        await services.triggerGracefulShutdown()
        try await servicesEnded
        await dialer.close()
        try reader.readNew()
        let elapsed = (clock.now - started) / .seconds(1)
        let offerSeconds = max(planned, reader.lastStart + 1 / settings.plan.callsPerSecond)
        let unfinished = settings.plan.totalCalls - reader.statistics.finished
        return (LoadOutcome(statistics: reader.statistics, elapsed: elapsed, unfinished: max(unfinished, 0), stoppedEarly: stoppedEarly),
                stoppedEarly ? min(offerSeconds, elapsed) : offerSeconds)
    }

    /// The progress line's view: the CDRs of the calls that ended, plus the calls up now
    /// (a CDR is written when its call ends).
    static func progress(elapsed: Double, origin: Double, statistics: LoadStatistics, live: [LiveCalls.Info]) -> LoadProgress {
        let second = Int(elapsed.rounded(.down)) - 1
        var view = LoadProgress(elapsed: elapsed, last: second, statistics: statistics, active: live.count)
        func inLastSecond(_ date: Date) -> Bool { Int((date.timeIntervalSince1970 - origin).rounded(.down)) == second }
        view.offeredPerSecond += live.filter { inLastSecond($0.startedAt) }.count
        view.answeredPerSecond += live.filter { $0.answeredAt.map(inLastSecond) ?? false }.count
        view.answered += live.filter { $0.answeredAt != nil }.count
        return view
    }

    /// The trunk, the prompt, and the running campaign with its calls queued; returns the campaign's id.
    private func prepare(_ store: DialerStore) throws -> String {
        let now = Date().timeIntervalSince1970
        let target = settings.target
        var trunk = Trunk(id: "loadtest-target", name: "load-test target", host: target.host, now: now)
        trunk.port = target.port
        trunk.transport = target.transport.uriParameter
        trunk.codecs = target.codecs.map(\.rawValue)
        try store.save(trunk)
        var flow: [String] = []
        if let prompt = settings.prompt {
            try FileManager.default.createDirectory(at: store.recordingsDirectory, withIntermediateDirectories: true)
            let path = store.recordingsDirectory.appendingPathComponent("loadtest-prompt.wav").path
            try WAVWriter.write(path: path, channels: [prompt.samples], sampleRate: prompt.sampleRate)
            try store.insert(Recording(id: "loadtest-prompt", name: "load-test prompt", path: path, durationMs: Int(prompt.duration * 1000), createdAt: now))
            flow.append(#"{"verb":"play","recording":"loadtest-prompt"}"#)
        }
        var remaining = settings.plan.holdSeconds
        while remaining > 0 {
            let pause = min(remaining, 300)
            flow.append(#"{"verb":"pause","seconds":\#(pause)}"#)
            remaining -= pause
        }
        flow.append(#"{"verb":"hangup"}"#)
        let id = "loadtest-\(UUID().uuidString.lowercased().prefix(8))"
        var campaign = Campaign(id: id, name: "load test", status: "running", flow: "[" + flow.joined(separator: ",") + "]",
                                callsPerMinute: settings.plan.callsPerSecond * 60, maxConcurrent: settings.plan.maxConcurrent ?? 1_000_000, now: now)
        campaign.trunkId = trunk.id
        campaign.ringTimeout = settings.ringTimeout
        if settings.amd { campaign.amd = #"{"machine_action":"continue"}"# }
        try store.insert(campaign)
        let calls = (0..<settings.plan.totalCalls).map { index in
            CampaignCall(id: "\(id)-\(index)", campaignId: id, phone: String(settings.firstNumber + index), dueAt: now, now: now)
        }
        try store.insert(calls)
        return id
    }
}

/// Reads a campaign's CDRs in the order written, as they come, into load-test statistics.
struct CDRReader {
    let store: DialerStore
    let campaignID: String
    /// Wall-clock time of the start of the test (CDR times are UTC seconds).
    let origin: Double
    var statistics: LoadStatistics
    private var read = 0
    /// When the latest call started, in seconds from the origin.
    private(set) var lastStart = 0.0

    init(store: DialerStore, campaignID: String, origin: Double, hold: Double) {
        self.store = store
        self.campaignID = campaignID
        self.origin = origin
        statistics = LoadStatistics(holdSeconds: hold)
    }

    mutating func readNew() throws {
        while true {
            let page = try store.cdrs(CDRFilter(campaignID: campaignID), offset: read, limit: 1000)
            for cdr in page { add(cdr) }
            read += page.count
            if page.count < 1000 { return }
        }
    }

    private mutating func add(_ cdr: CDR) {
        let sent = cdr.startedAt - origin
        lastStart = max(lastStart, sent)
        statistics.due(at: sent)
        statistics.sent(at: sent)
        if let answered = cdr.answeredAt { statistics.answered(at: answered - origin, sent: sent) }
        statistics.record(CallSample(result: CallSample.Result(outcomeName: cdr.outcome), sentAt: sent,
                                     answered: cdr.answeredAt.map { $0 - cdr.startedAt }, ended: cdr.endedAt - cdr.startedAt,
                                     sipCode: cdr.sipCode, rtp: cdr.rtpStatistics))
        if case .object(let amd)? = cdr.amd.flatMap(JSONValue.init(parsing:)), case .string(let verdict)? = amd["verdict"] {
            statistics.amdVerdicts[verdict, default: 0] += 1
        }
    }
}
