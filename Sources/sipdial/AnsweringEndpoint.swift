import ArgumentParser
import Foundation
import Logging
import NIOCore
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// The options and start-up of a long-running SIP endpoint that answers calls (`serve`,
/// `simulate`): its listeners, who may call in, how long calls ring, and logging.
struct AnsweringEndpointOptions: ParsableArguments {
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

    var logger: Logger {
        var logger = Logger(label: "sipdial")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }

    /// Starts the listeners and the answering UAS on `loop` (exit 3 when a listener cannot
    /// bind), and prints one `listening TRANSPORT HOST PORT` line per socket on standard
    /// output: scripts and tests wait for these.
    func start(on loop: EventLoop, media: InboundMedia?, scripts: CallScriptBook? = nil, logger: Logger) async throws -> (SIPTransportLayer, AutoAnswerUAS) {
        var config = SIPTransportConfiguration()
        if !listen.isEmpty {
            config.listeners = listen.compactMap { ListenSpec($0)?.listener }
        }
        let transport = SIPTransportLayer(eventLoop: loop, configuration: config, logger: logger)
        let transactions = SIPTransactionLayer(transport: transport, logger: logger)
        let peers = allowPeer.isEmpty ? SIPPeerAllowList.loopback : try SIPPeerAllowList(allowPeer)
        let uas = AutoAnswerUAS(transactions: transactions, answerDelay: .milliseconds(Int64(answerAfter * 1000)), scripts: scripts,
                                allowedPeers: peers, media: media, logger: logger)
        do {
            try await transport.start()
        } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        var ready = ""
        for (kind, address) in try await transport.boundAddresses() {
            ready += "listening \(kind.uriParameter) \(address.ipAddress ?? "?") \(address.port ?? 0)\n"
        }
        FileHandle.standardOutput.write(Data(ready.utf8))
        return (transport, uas)
    }
}
