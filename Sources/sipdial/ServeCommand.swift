import ArgumentParser
import DialerAPI
import DialerEngine
import DialerStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SDP
import SIPSimulator
import SIPTransport
import SIPUserAgent

/// `sipdial serve`: the dialer. The SIP endpoint (UDP and TCP listeners, transactions, the
/// session dispatcher), the campaign pacer and the REST API over the store in the data
/// directory. With no trunk configured it starts the embedded simulator and dials that.
/// SIGTERM or SIGINT stops it gracefully: no new calls, the calls up get `--drain` seconds
/// to end, the rest are hung up.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the dialer: SIP on UDP and TCP, the campaign pacer and the REST API."
    )

    @OptionGroup var endpoint: SIPEndpointOptions
    @OptionGroup var trace: SIPTraceOption
    @OptionGroup var data: DataDirectoryOption
    @Option(help: "HOST:PORT the REST API listens on (port 0: any free port).")
    var http = "127.0.0.1:8080"
    @Option(help: "PEM certificate chain: serve the REST API over HTTPS only (with --http-tls-key).")
    var httpTlsCert: String?
    @Option(help: "PEM private key of --http-tls-cert.")
    var httpTlsKey: String?
    @Option(help: "RTP/RTCP port range LOW-HIGH for calls.")
    var rtpPorts: ClosedRange<Int> = 10_000...20_000
    @Option(help: "Seconds the calls up may go on after SIGTERM before they are hung up.")
    var drain: Double = 30
    @Option(help: "Seconds between two looks at the trunks: registrations kept in step, an OPTIONS ping to each.")
    var trunkCheckInterval: Double = 30
    @Option(help: "Schedule the media threads SCHED_RR at this priority (1-99), as FreeSWITCH's -rp does, so packets leave on time on a busy machine. Needs CAP_SYS_NICE or a matching RLIMIT_RTPRIO; without it a warning is logged and media runs at the normal priority.")
    var mediaRealtimePriority: Int32?
    @Flag(help: "Do not start the embedded simulator when no trunk is configured (campaigns then wait for a trunk).")
    var noSimulator = false
    @Option(help: "Answer calls from allowed peers and trunks with this flow: a JSON list of verbs as in a campaign (say, play, gather, record, pause, hangup; no transfer), or @FILE. Without it they get 480.")
    var inboundFlow: String?
    @Option(help: "SRTP for calls --inbound-flow answers (RFC 3711, SDES keys): off, optional (an SRTP offer is answered with SRTP, a plain one plainly) or required (a plain offer gets 488). Over tls signaling only, unless --inbound-srtp-plain-signaling.")
    var inboundSrtp: SRTPPolicy = .optional
    @Flag(help: "Let --inbound-srtp answer SRTP offers that came over udp or tcp: the keys travel in the SDP, readable by anyone who sees the SIP.")
    var inboundSrtpPlainSignaling = false
    @Option(help: "A weighted share of the embedded simulator's calls, as simulate's --mix (repeatable). Default 70:answer,after=1,hangup=20-60 10:busy,after=1 10:no-answer 10:reject=503.")
    var simulatorMix: [String] = []
    @Option(help: "REQUESTS/SECONDS: a source other than a trunk or allowed peer that sends more SIP requests than this within SECONDS is blocked (its requests dropped unanswered) for --source-block seconds; 'off' for no limit.")
    var sourceLimit = "16/2"
    @Option(help: "Seconds a source stays blocked after going over --source-limit.")
    var sourceBlock: Double = 300
    @Option(help: "Comma-separated parts of a User-Agent that mark a scanner: requests with one, from a source other than a trunk or allowed peer, are dropped unanswered ('' for none).")
    var scannerAgents = SourceGuard.Settings().scannerAgents.joined(separator: ",")

    func validate() throws {
        guard httpAddress != nil else { throw ValidationError("--http '\(http)' is not HOST:PORT (port 0-65535)") }
        guard (httpTlsCert == nil) == (httpTlsKey == nil) else { throw ValidationError("--http-tls-cert and --http-tls-key go together") }
        guard drain >= 0, drain <= 3600 else { throw ValidationError("--drain must be between 0 and 3600 seconds") }
        if let priority = mediaRealtimePriority, !(1...99).contains(priority) { throw ValidationError("--media-realtime-priority must be between 1 and 99") }
        guard trunkCheckInterval >= 0.5, trunkCheckInterval <= 3600 else { throw ValidationError("--trunk-check-interval must be between 0.5 and 3600 seconds") }
        _ = try SimulateCommand.scriptBook(behaviour: [], mix: simulatorMix, fallback: CallScript(), option: "--simulator-mix")
        _ = try inboundCallFlow(exists: { _, _ in true })
        _ = try sourceGuard()
    }

    /// --source-limit, --source-block and --scanner-agents as the SIP endpoint's guard.
    func sourceGuard() throws -> SourceGuard.Settings {
        var settings = SourceGuard.Settings()
        if sourceLimit == "off" {
            settings.limit = nil
        } else {
            let parts = sourceLimit.split(separator: "/")
            guard parts.count == 2, let requests = Int(parts[0]), requests >= 1, let seconds = Double(parts[1]), seconds > 0, seconds <= 3600 else {
                throw ValidationError("--source-limit '\(sourceLimit)' is not REQUESTS/SECONDS (at least 1 request, 0-3600 s) or 'off'")
            }
            (settings.limit, settings.window) = (requests, .nanoseconds(Int64(seconds * 1e9)))
        }
        guard sourceBlock >= 1, sourceBlock <= 86_400 else { throw ValidationError("--source-block must be between 1 and 86400 seconds") }
        settings.block = .nanoseconds(Int64(sourceBlock * 1e9))
        settings.scannerAgents = scannerAgents.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return settings
    }

    /// --inbound-flow read (from the file after `@`) and checked; nil when not given.
    func inboundCallFlow(exists: (CallFlow.Stored, String) -> Bool) throws -> CallFlow? {
        guard var text = inboundFlow else { return nil }
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("--inbound-flow: cannot read '\(path)'") }
            text = contents
        }
        let flow: CallFlow
        do { flow = try CallFlow(json: text, exists: exists) } catch {
            throw ValidationError("--inbound-flow: \(error)")
        }
        if flow.transfers { throw ValidationError("--inbound-flow: transfer is not available on inbound calls (sipdial sends REFER only on calls it placed)") }
        return flow
    }

    /// --http as host and port; port 0 asks for any free port.
    var httpAddress: (host: String, port: Int)? {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(http[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        let logger = endpoint.logger
        let store: DialerStore
        do { store = try DialerStore(directory: data.url) } catch {
            logger.error("cannot open the store in \(data.url.path): \(error)")
            throw ExitCode(1)
        }
        // The API's certificate is read before anything listens: a file that cannot be used
        // stops serve at once.
        var https = SIPTLSSettings()
        (https.certificateFile, https.privateKeyFile) = (httpTlsCert, httpTlsKey)
        let tls: TLSConfiguration?
        do { tls = httpTlsCert == nil ? nil : try https.serverConfiguration() } catch {
            logger.error("\(error)")
            throw ExitCode(2)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var simulator: EmbeddedSimulator?
        if !noSimulator, try store.trunks().isEmpty {
            do {
                simulator = try await EmbeddedSimulator.start(mix: simulatorMix.isEmpty ? EmbeddedSimulator.defaultMix : simulatorMix,
                                                              on: group.next(), group: group, logger: logger)
            } catch let error as ValidationError {
                logger.error("\(error)")
                throw ExitCode(2)
            }
            logger.notice("no trunk configured: calls go to the embedded simulator until one is added",
                          metadata: ["simulator": "udp:127.0.0.1:\(simulator!.route.port ?? 0)"])
        }
        var sip = endpoint.transportConfiguration
        sip.trace = try trace.open()
        sip.sourceGuard = try sourceGuard()
        // The embedded simulator's requests are the dialer's own calls.
        if let simulator { sip.sourceGuard?.exemptAddresses.insert(simulator.route.host) }
        var settings = Dialer.Settings(sip: sip, allowedPeers: try endpoint.allowedPeers, rtpPorts: rtpPorts, fallbackRoute: simulator?.route)
        settings.trunkCheckInterval = trunkCheckInterval
        settings.mediaRealtimePriority = mediaRealtimePriority
        (settings.inboundSRTP, settings.inboundSRTPPlainSignaling) = (inboundSrtp, inboundSrtpPlainSignaling)
        do { settings.inboundFlow = try inboundCallFlow(exists: CallFlow.stored(in: store)) } catch {
            logger.error("\(error)")
            throw ExitCode(2)
        }
        let dialer: Dialer
        do { dialer = try await Dialer(store: store, settings: settings, loop: group.next(), logger: logger) } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        SIPEndpointOptions.announce(dialer.sip.listeners)
        try await dialer.recoverInterruptedAttempts()
        let address = httpAddress!
        var failed = false
        do {
            // Runs until SIGTERM or SIGINT, then lets requests in flight finish and the calls end.
            try await DialerAPI.serve(store: store, dialer: dialer, services: dialer.services(drain: drain), host: address.host, port: address.port,
                                      tls: tls, logger: logger) { port in
                Console.say("listening \(tls == nil ? "http" : "https") \(address.host) \(port)")
            }
        } catch {
            logger.error("REST API cannot listen on \(http): \(error)")
            failed = true
        }
        await dialer.close()
        await simulator?.transport.shutdown()
        sip.trace?.close()
        try await group.shutdownGracefully()
        if failed { throw ExitCode(3) }
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = Once()
            for sig in [SIGINT, SIGTERM] {
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
                SignalSources.keep(source)
            }
        }
    }
}

/// Keeps signal sources alive for the life of the process.
private enum SignalSources {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    static func keep(_ s: any DispatchSourceSignal) { sources.append(s) }
}

/// `udp:HOST:PORT` / `tcp:[v6]:PORT`.
struct ListenSpec {
    var listener: SIPTransportConfiguration.Listener

    init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let transport = SIPTransportType(uriParameter: String(parts[0])) else { return nil }
        let rest = parts[1]
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        listener = .init(host: host, port: port, transport: transport)
    }
}
