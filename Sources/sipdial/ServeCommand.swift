import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// `sipdial serve`: runs sipdial. At this stage of the build-out that is the SIP endpoint:
/// UDP and TCP listeners, the transaction layer, and an auto-answering UAS (see
/// docs/STATUS.md). The REST API and the dialer join it as they land.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run sipdial: the SIP endpoint on UDP and TCP (answers OPTIONS and calls)."
    )

    @OptionGroup var endpoint: AnsweringEndpointOptions

    func run() async throws {
        let logger = endpoint.logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (transport, uas) = try await endpoint.start(on: group.next(), media: nil, logger: logger)
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
