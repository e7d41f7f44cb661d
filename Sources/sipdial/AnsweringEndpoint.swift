import ArgumentParser
import Foundation
import Logging
import NIOCore
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// The options and start-up of `simulate`'s SIP endpoint, which answers calls: the common
/// endpoint options and how long calls ring.
struct AnsweringEndpointOptions: ParsableArguments {
    @OptionGroup var sip: SIPEndpointOptions

    @Option(help: "Seconds each incoming call rings (180) before it is answered.")
    var answerAfter: Double = 0

    func validate() throws {
        guard answerAfter >= 0, answerAfter <= 3600 else { throw ValidationError("--answer-after must be between 0 and 3600 seconds") }
    }

    var logger: Logger { sip.logger }

    /// Starts the listeners and the answering UAS on `loop` (exit 3 when a listener cannot
    /// bind) and announces the sockets.
    func start(on loop: EventLoop, media: InboundMedia?, scripts: CallScriptBook? = nil, logger: Logger) async throws -> (SIPTransportLayer, AutoAnswerUAS) {
        let (transport, uas) = try await AutoAnswerUAS.listen(configuration: sip.transportConfiguration, on: loop, peers: try sip.allowedPeers,
                                                              answerDelay: answerAfter, scripts: scripts, media: media, logger: logger)
        SIPEndpointOptions.announce(try await transport.boundAddresses())
        return (transport, uas)
    }
}

extension AutoAnswerUAS {
    /// A transport with an answering UAS on it, listening (exit 3 when it cannot bind).
    static func listen(configuration: SIPTransportConfiguration, on loop: EventLoop, peers: SIPPeerAllowList, answerDelay: Double,
                       scripts: CallScriptBook?, media: InboundMedia?, logger: Logger) async throws -> (SIPTransportLayer, AutoAnswerUAS) {
        let transport = SIPTransportLayer(eventLoop: loop, configuration: configuration, logger: logger)
        let transactions = SIPTransactionLayer(transport: transport, logger: logger)
        let uas = AutoAnswerUAS(transactions: transactions, answerDelay: .milliseconds(Int64(answerDelay * 1000)), scripts: scripts,
                                allowedPeers: peers, media: media, logger: logger)
        do {
            try await transport.start()
        } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        return (transport, uas)
    }
}
