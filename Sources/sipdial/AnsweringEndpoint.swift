import ArgumentParser
import Foundation
import SIPCore
import Logging
import NIOCore
import SIPTransport
import SIPSimulator
import SIPUserAgent

/// The options and start-up of `simulate`'s SIP endpoint, which answers calls: the common
/// endpoint options, how long calls ring, and the accounts that must register first.
struct AnsweringEndpointOptions: ParsableArguments {
    @OptionGroup var sip: SIPEndpointOptions

    @Option(help: "Seconds each incoming call rings (180) before it is answered.")
    var answerAfter: Double = 0

    @Option(help: ArgumentHelp("An account that must register with digest authentication before calling: USER:PASSWORD (repeatable).",
                               discussion: "With it, REGISTER is challenged (401, MD5, qop=auth) and INVITEs are answered only from the address a live registration came from; others get 403 Not Registered."))
    var requireRegistration: [String] = []
    @Option(help: "The digest realm of --require-registration.")
    var realm = "sipdial-simulator"

    func validate() throws {
        guard answerAfter >= 0, answerAfter <= 3600 else { throw ValidationError("--answer-after must be between 0 and 3600 seconds") }
        _ = try accounts()
    }

    /// --require-registration as user → password.
    func accounts() throws -> [String: String] {
        var accounts: [String: String] = [:]
        for entry in requireRegistration {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex, entry.index(after: colon) != entry.endIndex else {
                throw ValidationError("--require-registration '\(entry)' is not USER:PASSWORD")
            }
            accounts[String(entry[..<colon])] = String(entry[entry.index(after: colon)...])
        }
        return accounts
    }

    var logger: Logger { sip.logger }

    /// Starts the listeners and the answering UAS on `loop` (exit 3 when a listener cannot
    /// bind) and announces the sockets.
    func start(on loop: EventLoop, media: InboundMedia?, scripts: CallScriptBook? = nil, logger: Logger) async throws -> (SIPTransportLayer, AutoAnswerUAS) {
        let accounts = try accounts()
        let registrar = accounts.isEmpty ? nil : SimulatedRegistrar(accounts: accounts, realm: realm) { Date().timeIntervalSince1970 }
        let (transport, uas) = try await AutoAnswerUAS.listen(configuration: sip.transportConfiguration, on: loop, peers: try sip.allowedPeers,
                                                              answerDelay: answerAfter, scripts: scripts, media: media, registrar: registrar,
                                                              logger: logger)
        SIPEndpointOptions.announce(try await transport.boundAddresses())
        return (transport, uas)
    }
}

extension AutoAnswerUAS {
    /// A transport with an answering UAS on it, listening (exit 3 when it cannot bind).
    /// With a `registrar`, REGISTER is among the methods served.
    static func listen(configuration: SIPTransportConfiguration, on loop: EventLoop, peers: SIPPeerAllowList, answerDelay: Double,
                       scripts: CallScriptBook?, media: InboundMedia?, registrar: SimulatedRegistrar? = nil,
                       logger: Logger) async throws -> (SIPTransportLayer, AutoAnswerUAS) {
        var policy = SIPUASPolicy.default
        if registrar != nil { policy.allowedMethods.append(.register) }
        let transport = SIPTransportLayer(eventLoop: loop, configuration: configuration, logger: logger)
        let transactions = SIPTransactionLayer(transport: transport, validator: SIPMessageValidator(policy: policy), logger: logger)
        let uas = AutoAnswerUAS(transactions: transactions, answerDelay: .milliseconds(Int64(answerDelay * 1000)), scripts: scripts,
                                allowedPeers: peers, media: media, registrar: registrar, policy: policy, logger: logger)
        do {
            try await transport.start()
        } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        return (transport, uas)
    }
}
