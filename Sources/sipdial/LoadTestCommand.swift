import ArgumentParser
import DialerEngine
import Foundation
import LoadTest
import Logging
import Media
import NIOCore
import NIOPosix
import SIPCore
import SIPTransport
import SIPUserAgent

/// `sipdial loadtest`: offers calls to a SIP target at a steady rate (open loop), prints a
/// progress line every second and a report at the end (`--report` JSON, `--html` page).
/// Exit 0 when the test ran and at least one call was answered, 1 when none was, 2 usage,
/// 3 network (cannot listen or resolve the target).
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Drive a SIP target at a set call rate and report what it did.",
        discussion: "Example: sipdial loadtest --target 127.0.0.1:5080 --cps 50 --duration 60 --hold 5 --play Audio/prompt.wav --report load.json --html load.html"
    )

    @Option(help: "The SIP target HOST:PORT (a trunk, SIPp, `sipdial simulate`, `sipdial serve`).")
    var target: String
    @Option(help: "The number to call: the user part of each INVITE's Request-URI (default loadtest). With --campaign, the first of consecutive numbers (default 1000000).")
    var number: String?
    @Option(help: "Calls offered per second (open loop: a slow target shows up as latency and failures, not as fewer offers).")
    var cps: Double
    @Option(help: "How many calls to offer.")
    var calls: Int?
    @Option(help: "Offer calls for this many seconds (instead of --calls).")
    var duration: Double?
    @Option(help: "At most this many calls up at once; a call due while they are up is not placed and is counted as blocked.")
    var maxConcurrent: Int?
    @Option(help: "Seconds to hold each answered call before hanging up (0: hang up at the answer, or after --play has played once).")
    var hold: Double = 0
    /// --play or --say: the calls carry RTP (the prompt for the whole hold) and report RTP figures.
    @OptionGroup var prompt: PromptOptions
    @OptionGroup var dial: DialOptions
    @Option(help: "Write the report as JSON to this file.")
    var report: String?
    @Option(help: "Write the report as an HTML page with charts to this file.")
    var html: String?
    @Option(help: "Seconds to wait for the calls still up after the last one was offered (default: hold + ring timeout + 40).")
    var drainTimeout: Double?
    @Option(help: "Signaling endpoints to place the calls from, each on its own local port and its own thread (default: one per core). Calls are spread over them in turn.")
    var signalingThreads: Int?
    @Flag(help: "No progress line every second.")
    var quiet = false
    @Flag(help: "Run a real campaign through the whole engine (store, pacer, flows, media, CDRs) instead of bare calls: --calls contacts at --cps × 60 calls per minute, a flow that plays --play/--say, pauses --hold seconds and hangs up; the report is read from the CDRs.")
    var campaign = false
    @Flag(help: "With --campaign: answering-machine detection before the flow on every call (every verdict goes on with the flow); the report counts the verdicts.")
    var amd = false
    @Option(help: "With --campaign: the data directory for the store (kept afterwards, so `sipdial serve --data DIR` shows the CDRs). Default: a scratch directory, removed.")
    var data: String?

    func validate() throws {
        guard HostPort(target) != nil else { throw ValidationError("--target '\(target)' is not HOST[:PORT]") }
        guard cps > 0, cps <= 100_000 else { throw ValidationError("--cps must be between 0 and 100000") }
        switch (calls, duration) {
        case (nil, nil), (.some, .some): throw ValidationError("give one of --calls and --duration")
        case (let n?, nil): guard n > 0 else { throw ValidationError("--calls must be at least 1") }
        case (nil, let s?): guard s > 0, s <= 86_400, s * cps >= 1 else { throw ValidationError("--duration must be 0-86400 seconds and offer at least one call at --cps") }
        }
        if let maxConcurrent { guard maxConcurrent > 0 else { throw ValidationError("--max-concurrent must be at least 1") } }
        guard hold >= 0, hold <= 86_400 else { throw ValidationError("--hold must be between 0 and 86400 seconds") }
        if campaign, let number { guard number.count <= 12, Int(number) != nil else { throw ValidationError("--number must be digits with --campaign") } }
        if data != nil, !campaign { throw ValidationError("--data goes with --campaign") }
        if amd, !campaign { throw ValidationError("--amd goes with --campaign (bare calls have no flow to analyse in)") }
        if let signalingThreads { guard signalingThreads >= 1, signalingThreads <= 64 else { throw ValidationError("--signaling-threads must be 1-64") } }
        if let drainTimeout { guard drainTimeout > 0 else { throw ValidationError("--drain-timeout must be more than 0 seconds") } }
        for path in [report, html].compactMap({ $0 }) {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: directory) else { throw ValidationError("cannot write '\(path)': \(directory) is not a writable directory") }
        }
    }

    /// --drain-timeout, else long enough for a call that rings out and is then held.
    var drainSeconds: Double { drainTimeout ?? hold + dial.ringTimeout + 40 }

    var plan: LoadTestPlan {
        LoadTestPlan(callsPerSecond: cps, length: calls.map { .calls($0) } ?? .duration(seconds: duration ?? 0),
                     maxConcurrent: maxConcurrent, holdSeconds: hold)
    }

    func run() async throws {
        let audio = try prompt.load(command: "loadtest", sampleRate: dial.audioSampleRate)
        let hop = HostPort(target)!
        var uri = SIPURI(user: number ?? "loadtest", host: hop.uriHost, port: hop.port)
        let kind = try dial.transportKind(for: uri)
        if kind != .udp { uri.parameters = [SIPParameter("transport", kind.uriParameter)] }
        let plan = plan
        let started = Date()
        let before = ProcessUsage.now()
        let outcome: LoadOutcome, offerSeconds: Double
        if campaign {
            (outcome, offerSeconds) = try await runCampaign(plan, target: hop, kind: kind, local: dial.localAddress(toward: uri), audio: audio)
        } else {
            (outcome, offerSeconds) = try await runCalls(plan, to: uri, kind: kind, audio: audio)
        }
        let result = LoadReport(plan: LoadReport.Plan(target: target, transport: kind.rawValue, mode: campaign ? "campaign" : "calls", cps: cps, calls: plan.totalCalls,
                                                      maxConcurrent: maxConcurrent, holdSeconds: hold, media: audio != nil),
                                startedAt: started, outcome: outcome, offerSeconds: offerSeconds, usage: (before, ProcessUsage.now()))
        try write(result)
        if result.results["answered"] == 0 { throw ExitCode(1) }
    }

    private var progress: (@Sendable (LoadProgress) -> Void)? {
        if quiet || dial.json { return nil }
        return { Console.say($0.line) }
    }

    /// Bare calls from a command endpoint; returns the outcome and how long calls were offered.
    private func runCalls(_ plan: LoadTestPlan, to uri: SIPURI, kind: SIPTransportType, audio: WAVAudio?) async throws -> (LoadOutcome, Double) {
        let shards = signalingThreads ?? System.coreCount
        let outcome = try await CommandEndpoint.run(local: dial.localAddress(toward: uri), kind: kind, tls: dial.tls.settings, trace: try dial.trace.open(), threads: max(shards, System.coreCount), count: shards,
                                                    onError: { Console.error("loadtest", $0) }) { endpoints in
            try await generate(plan, to: uri, audio: audio, endpoints: endpoints)
        }
        let offered = outcome.stoppedEarly ? outcome.statistics.offered : plan.totalCalls
        return (outcome, Double(plan.startOffset(of: offered)) / 1e9)
    }

    /// A campaign through the whole engine, in a scratch data directory unless --data.
    private func runCampaign(_ plan: LoadTestPlan, target: HostPort, kind: SIPTransportType, local: String, audio: WAVAudio?) async throws -> (LoadOutcome, Double) {
        let directory = data.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-loadtest-\(UUID().uuidString)")
        defer { if data == nil { try? FileManager.default.removeItem(at: directory) } }
        var sip = SIPTransportConfiguration()
        sip.listeners = [.init(host: local, port: 0, transport: kind)]
        sip.tls = dial.tls.settings
        var settings = CampaignLoadTest.Settings(
            target: TrunkRoute(host: target.host, port: target.port, transport: kind, codecs: dial.codec.isEmpty ? [.pcmu, .pcma] : dial.codec),
            plan: plan, prompt: audio, ringTimeout: dial.ringTimeout, dataDirectory: directory, sip: sip, rtpPorts: dial.rtpPorts,
            firstNumber: Int(number ?? "1000000") ?? 1_000_000)
        settings.amd = amd
        var logger = Logger(label: "sipdial.loadtest")
        logger.logLevel = .warning
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stop = Once()
        let interrupt = Task {
            await ServeCommand.waitForTermination()
            _ = stop.claim()
        }
        defer { interrupt.cancel() }
        let result = await Result {
            try await CampaignLoadTest(settings).run(loop: group.next(), logger: logger, drainLimit: drainSeconds,
                                                     progress: progress, stop: { stop.happened })
        }
        try? await group.shutdownGracefully()
        do { return try result.get() } catch {
            Console.error("loadtest", "the campaign could not run: \(error)")
            throw ExitCode(3)
        }
    }

    /// Runs the plan from `endpoints` (the generator on the first one's loop), a progress line a
    /// second unless --quiet or --json.
    private func generate(_ plan: LoadTestPlan, to uri: SIPURI, audio: WAVAudio?, endpoints: [CommandEndpoint]) async throws -> LoadOutcome {
        let endpoint = endpoints[0]
        let destinations = try await dial.destinations(for: uri, endpoint: endpoint) { Console.error("loadtest", $0) }
        let shards = endpoints.map {
            SIPCallPlacer.Shard(template: dial.configuration(target: uri, destinations: destinations, mediaPort: 9, endpoint: $0),
                                dispatcher: SIPSessionDispatcher(transactions: $0.transactions), resolver: $0.resolver)
        }
        let media = audio.map {
            SIPCallPlacer.MediaSettings(prompt: $0, ports: RTPPortAllocator(range: dial.rtpPorts), host: endpoint.bound.ipAddress ?? "127.0.0.1",
                                        rtpTimeout: dial.rtpTimeout, group: endpoint.group)
        }
        let placer = SIPCallPlacer(shards: shards, holdSeconds: hold, media: media)
        let generator = LoadGenerator(plan: plan, placer: placer, loop: endpoint.transport.eventLoop, drainLimit: .nanoseconds(Int64(drainSeconds * 1e9)))
        let interrupt = Task {
            await ServeCommand.waitForTermination()
            generator.stop()
        }
        defer { interrupt.cancel() }
        return try await generator.run(progress: progress)
    }

    /// The report to the terminal and to --report / --html.
    private func write(_ result: LoadReport) throws {
        let json = try result.json()
        if dial.json { Console.say(String(decoding: json, as: UTF8.self)) } else { Console.say(result.summary) }
        do {
            if let report { try json.write(to: URL(fileURLWithPath: report)) }
            if let html { try Data(HTMLReport.render(result).utf8).write(to: URL(fileURLWithPath: html)) }
        } catch {
            Console.error("loadtest", "cannot write the report: \(error)")
            throw ExitCode(1)
        }
    }
}
