import ArgumentParser
import DialerAPI
import DialerStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// `sipdial serve`: runs sipdial. At this stage of the build-out that is the SIP endpoint
/// (UDP and TCP listeners, the transaction layer, an auto-answering UAS) and the REST API
/// over the store in the data directory (see docs/STATUS.md). The dialer joins them as it
/// lands.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run sipdial: the SIP endpoint on UDP and TCP and the REST API."
    )

    @OptionGroup var endpoint: AnsweringEndpointOptions
    @OptionGroup var data: DataDirectoryOption
    @Option(help: "HOST:PORT the REST API listens on (port 0: any free port).")
    var http = "127.0.0.1:8080"

    func validate() throws {
        guard httpAddress != nil else { throw ValidationError("--http '\(http)' is not HOST:PORT (port 0-65535)") }
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
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (transport, uas) = try await endpoint.start(on: group.next(), media: nil, logger: logger)
        let address = httpAddress!
        var failed = false
        do {
            // Runs until SIGTERM or SIGINT, then lets requests in flight finish.
            try await DialerAPI.serve(store: store, host: address.host, port: address.port, logger: logger) { port in
                Console.say("listening http \(address.host) \(port)")
            }
        } catch {
            logger.error("REST API cannot listen on \(http): \(error)")
            failed = true
        }
        logger.info("shutting down", metadata: ["calls_answered": "\(uas.answered)"])
        await transport.shutdown()
        try await group.shutdownGracefully()
        if failed { throw ExitCode(3) }
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
