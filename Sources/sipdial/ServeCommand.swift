import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPTransport
import SIPUserAgent

/// `sipdial serve`: runs sipdial. At this stage of the build-out that is the SIP endpoint:
/// UDP and TCP listeners, the transaction layer, and an auto-answering UAS (see
/// docs/STATUS.md). The REST API and the dialer join it as they land.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run sipdial: the SIP endpoint on UDP and TCP (answers OPTIONS and calls)."
    )

    @Option(name: .customLong("listen"), help: "TRANSPORT:HOST:PORT to listen on (repeatable). Default udp:0.0.0.0:5060 and tcp:0.0.0.0:5060.")
    var listen: [String] = []

    @Option(help: "Seconds each incoming call rings (180) before it is answered.")
    var answerAfter: Double = 0

    @Option(help: "Address or ADDRESS/PREFIX allowed to call in (repeatable); others get 403. Default: loopback only (127.0.0.0/8, ::1).")
    var allowPeer: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        for spec in listen where ListenSpec(spec) == nil {
            throw ValidationError("--listen '\(spec)' is not TRANSPORT:HOST:PORT (e.g. udp:0.0.0.0:5060, tcp:[::1]:5070)")
        }
        do { _ = try SIPPeerAllowList(allowPeer) } catch { throw ValidationError("--allow-peer \(error)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
        guard answerAfter >= 0, answerAfter <= 3600 else { throw ValidationError("--answer-after must be between 0 and 3600 seconds") }
    }

    func run() async throws {
        var logger = Logger(label: "sipdial")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var config = SIPTransportConfiguration()
        if !listen.isEmpty {
            config.listeners = listen.compactMap { ListenSpec($0)?.listener }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let transport = SIPTransportLayer(eventLoop: group.next(), configuration: config, logger: logger)
        let transactions = SIPTransactionLayer(transport: transport, logger: logger)
        let peers = allowPeer.isEmpty ? SIPPeerAllowList.loopback : try SIPPeerAllowList(allowPeer)
        let uas = AutoAnswerUAS(transactions: transactions, answerDelay: .milliseconds(Int64(answerAfter * 1000)), allowedPeers: peers, logger: logger)
        do {
            try await transport.start()
        } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        var ready = ""
        for (kind, address) in try await transport.boundAddresses() {
            // One line per socket on stdout: scripts and tests wait for these.
            ready += "listening \(kind.uriParameter) \(address.ipAddress ?? "?") \(address.port ?? 0)\n"
        }
        FileHandle.standardOutput.write(Data(ready.utf8))
        await ServeCommand.waitForTermination()
        logger.info("shutting down", metadata: ["calls_answered": "\(uas.answered)"])
        await transport.shutdown()
        try await group.shutdownGracefully()
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
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

private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
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
