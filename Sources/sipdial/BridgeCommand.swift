import ArgumentParser
import DialerEngine
import Foundation
import Media
import NIOCore
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// `sipdial bridge A B`: click-to-call from the command line. Calls party A; once A answers,
/// plays ringback to A and calls party B; once B answers, crosses the two calls' audio
/// (transcoding when their codecs differ) until either side hangs up or `--hold` ends, and
/// hangs up the other. `--record` keeps both parties in a two-channel WAV (A left, B right).
/// Exit 0 when both answered, 1 for a SIP-level failure of either, 3 when one was unreachable.
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Call two parties and connect them (click-to-call)."
    )

    @Argument(help: "The party called first (the agent): a sip: URI.")
    var partyA: String
    @Argument(help: "The party called once A has answered (the customer): a sip: URI.")
    var partyB: String
    @OptionGroup var dial: DialOptions
    @Option(help: "Longest time the two parties stay connected, in seconds (0: until one hangs up).")
    var hold: Double = 0
    @Option(help: "Record both parties to this WAV file: A on the left channel, B on the right (8 kHz, or 16 kHz when the first --codec is opus).")
    var record: String?
    @Option(help: "What A hears while B rings: \(Tone.named.keys.sorted().joined(separator: ", ")) or none.")
    var ringback = "ringback-us"

    func validate() throws {
        _ = try DialOptions.sipURI(partyA, option: "party A")
        _ = try DialOptions.sipURI(partyB, option: "party B")
        guard hold >= 0, hold <= 86_400 else { throw ValidationError("--hold must be between 0 and 86400 seconds") }
        guard ringback == "none" || Tone.named[ringback] != nil else {
            throw ValidationError("--ringback '\(ringback)' is not one of \(Tone.named.keys.sorted().joined(separator: ", ")), none")
        }
    }

    func run() async throws {
        let a = try SIPURI(parsing: partyA), b = try SIPURI(parsing: partyB)
        let legs = try await CommandEndpoint.run(local: dial.localAddress(toward: a), kind: try dial.transportKind(for: a), tls: dial.tls.settings, trace: try dial.trace.open(),
                                                 onError: { Console.error("bridge", $0) }) { endpoint in
            try await connect(a, b, endpoint: endpoint)
        }
        report(legs)
        let outcomes = legs.map(\.result.outcome)
        if outcomes.allSatisfy({ $0 == .answered }) && outcomes.count == 2 { return }
        if outcomes.contains(where: { if case .unreachable = $0 { true } else { false } }) { throw ExitCode(3) }
        throw ExitCode(1)
    }

    /// One leg's result and audio figures.
    struct Leg: Sendable {
        var result: CallResult
        var rtp: RTPStreamStatistics?
    }

    private func connect(_ a: SIPURI, _ b: SIPURI, endpoint: CommandEndpoint) async throws -> [Leg] {
        let settings = CallBridge.Settings(ringback: Tone.named[ringback], record: record != nil, rtpTimeout: dial.rtpTimeout, hold: hold,
                                           sampleRate: dial.audioSampleRate)
        let bridge = CallBridge(settings: settings, dispatcher: SIPSessionDispatcher(transactions: endpoint.transactions), resolver: endpoint.resolver)
        let targets = [a, b]
        let outcome = try await bridge.run(host: endpoint.bound.ipAddress ?? "127.0.0.1", ports: RTPPortAllocator(range: dial.rtpPorts),
                                           group: endpoint.group, configure: { index, port in
            let destinations = try await dial.destinations(for: targets[index], endpoint: endpoint) { Console.error("bridge", $0) }
            return dial.configuration(target: targets[index], destinations: destinations, mediaPort: port, endpoint: endpoint)
        }, progress: { line in if !dial.json { Console.say(line) } })
        if let record, let channels = outcome.recording {
            do {
                try WAVWriter.write(path: record, channels: channels, sampleRate: outcome.sampleRate)
            } catch {
                Console.error("bridge", "cannot write \(record): \(error)")
            }
        }
        return outcome.legs.map { Leg(result: $0.result, rtp: $0.rtp) }
    }

    private func report(_ legs: [Leg]) {
        let names = ["a", "b"]
        if dial.json {
            var object: [String: Any] = [:]
            for (index, leg) in legs.enumerated() {
                var o = leg.result.jsonObject
                if let rtp = leg.rtp, rtp.packetsSent + rtp.packetsReceived > 0 { o["rtp"] = rtp.jsonObject }
                object[names[index]] = o
            }
            object["recording"] = record
            Console.json(object)
        } else {
            for (index, leg) in legs.enumerated() {
                Console.say("party \(names[index].uppercased()): \(leg.result.textLine)")
                if let rtp = leg.rtp, rtp.packetsSent + rtp.packetsReceived > 0 { Console.say("  " + rtp.textLine) }
            }
        }
    }
}
