import DialerEngine
import Foundation
import Logging
import Media
import NIOCore
import SDP
import SIPSimulator
import SIPTransport
import SIPUserAgent

/// The trunk `serve` dials while none is configured: `simulate`'s answering UAS on a UDP
/// socket of its own at 127.0.0.1 (any free port), with a weighted mix of outcomes, so a
/// newcomer's first campaign produces real calls and CDRs without a SIP provider.
struct EmbeddedSimulator {
    let transport: SIPTransportLayer
    /// Kept for the life of the simulator: the transaction layer holds it weakly.
    let uas: AutoAnswerUAS
    let route: TrunkRoute

    /// The default mix: most calls answered after a second of ringing, some busy, some
    /// never answered (they ring until the campaign's ring timeout), some refused as congested.
    /// Answered calls end as people's do, 20-60 s after the answer, unless sipdial hangs up
    /// first: a click-to-call or callback bridged to the simulator ends by itself.
    static let defaultMix = ["70:answer,after=1,hangup=20-60", "10:busy,after=1", "10:no-answer", "10:reject=503"]

    static func start(mix: [String], on loop: EventLoop, group: EventLoopGroup, logger: Logger) async throws -> EmbeddedSimulator {
        let book = try SimulateCommand.scriptBook(behaviour: [], mix: mix, fallback: CallScript(ringSeconds: 1), option: "--simulator-mix")
        var settings = AnsweringMedia.Settings(greeting: nil, repeatCount: 0, recordDirectory: nil,
                                               preferences: AudioPreferences(codecs: [.pcmu, .pcma, .opus]),
                                               ports: RTPPortAllocator(range: SimulateCommand.defaultRTPPorts), rtpTimeout: 0)
        settings.namedGreetings = try SimulatorGreetings.load(book.greetings, audioDirectory: nil, option: "--simulator-mix")
        let media = AnsweringMedia(settings, group: group) { _, _ in }
        var config = SIPTransportConfiguration()
        config.listeners = [.init(host: "127.0.0.1", port: 0, transport: .udp)]
        var simulatorLogger = logger
        simulatorLogger[metadataKey: "component"] = "simulator"
        let (transport, uas) = try await AutoAnswerUAS.listen(configuration: config, on: loop, peers: .loopback, answerDelay: 0,
                                                            scripts: book, media: media, logger: simulatorLogger)
        let port = try await transport.boundAddresses().first?.1.port ?? 0
        var route = TrunkRoute(host: "127.0.0.1", port: port)
        route.fromUser = "sipdial"
        return EmbeddedSimulator(transport: transport, uas: uas, route: route)
    }
}
