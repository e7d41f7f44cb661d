import ArgumentParser
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
    @Option(help: "Record both parties to this WAV file: A on the left channel, B on the right (8 kHz).")
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
        let legs = try await CommandEndpoint.run(local: dial.localAddress(toward: a), kind: dial.transportKind(for: a),
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

    private enum Step {
        case call(Int, OutboundCall.Event)
        case mediaTimeout(Int)
        case holdEnded
    }

    private func connect(_ a: SIPURI, _ b: SIPURI, endpoint: CommandEndpoint) async throws -> [Leg] {
        let host = endpoint.bound.ipAddress ?? "127.0.0.1"
        let ports = RTPPortAllocator(range: dial.rtpPorts)
        let streamA = try await RTPAudioStream.bind(host: host, ports: ports, group: endpoint.group)
        // One clock must tick both legs: leg B's stream goes on leg A's event loop.
        let streamB = try await RTPAudioStream.bind(host: host, ports: ports, group: streamA.channel.eventLoop)
        let streams = [streamA, streamB]
        let bridge = AudioBridge(waiting: Tone.named[ringback].map { ToneGenerator($0) },
                                 recording: record == nil ? nil : StereoRecorder())
        let dispatcher = SIPSessionDispatcher(transactions: endpoint.transactions)
        let steps = AsyncStream<Step>.makeStream()
        var configs: [OutboundCall.Configuration] = []
        var calls: [OutboundCall] = []
        var results: [Int: CallResult] = [:]
        var holdTimer: Task<Void, Never>?
        defer { holdTimer?.cancel() }

        func place(_ uri: SIPURI) async throws {
            let index = calls.count
            let destinations = try await dial.destinations(for: uri, endpoint: endpoint) { Console.error("bridge", $0) }
            let config = dial.configuration(target: uri, destinations: destinations, mediaPort: streams[index].localPort ?? 9, endpoint: endpoint)
            let call = OutboundCall(configuration: config, dispatcher: dispatcher, resolver: endpoint.resolver) {
                steps.continuation.yield(.call(index, $0))
            }
            configs.append(config)
            calls.append(call)
            call.start()
        }
        func progress(_ line: String) { if !dial.json { Console.say(line) } }

        try await place(a)
        for await step in steps.stream {
            switch step {
            case .call(let index, .progress(let code)):
                progress("[\(code)] party \(index == 0 ? "A" : "B")")
            case .call(let index, .answered(let sdp)):
                guard let negotiated = configs[index].offer.negotiate(answer: sdp) else {
                    Console.error("bridge", "party \(index == 0 ? "A" : "B") answered without usable audio: hanging up")
                    calls[index].hangUp()
                    continue
                }
                let leg = index == 0 ? bridge.legA : bridge.legB
                streams[index].onTimeout = { steps.continuation.yield(.mediaTimeout(index)) }
                do {
                    try streams[index].start(negotiated.streamParameters(timeout: dial.rtpTimeout), source: leg.source, sink: leg.sink)
                } catch {
                    Console.error("bridge", "\(error)")
                    calls[index].hangUp()
                    continue
                }
                if index == 0 {
                    progress("[200] party A answered (\(negotiated.codec.rawValue)), calling party B")
                    do { try await place(b) } catch {
                        calls[0].hangUp()
                        results[1] = CallResult(outcome: .unreachable("\(error)"))
                    }
                } else {
                    streamA.channel.eventLoop.execute { bridge.connect() }
                    progress("[200] party B answered (\(negotiated.codec.rawValue)): connected")
                    if hold > 0 {
                        let seconds = hold
                        holdTimer = Task {
                            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                            if !Task.isCancelled { steps.continuation.yield(.holdEnded) }
                        }
                    }
                }
            case .call(_, .earlyMedia):
                // A leg's own early media is not passed on: A hears sipdial's ringback while B rings.
                continue
            case .call(let index, .mediaChanged(let negotiated)):
                do { try streams[index].update(negotiated.streamParameters(timeout: dial.rtpTimeout)) } catch { Console.error("bridge", "\(error)") }
            case .mediaTimeout(let index):
                Console.error("bridge", "no RTP from party \(index == 0 ? "A" : "B") for \(dial.rtpTimeout) s: hanging up")
                calls.forEach { $0.hangUp() }
            case .holdEnded:
                progress("--hold ended: hanging up")
                calls.forEach { $0.hangUp() }
            case .call(let index, .ended(let result)):
                results[index] = result
                progress("party \(index == 0 ? "A" : "B") ended: \(result.textLine)")
                // Whoever leaves first ends the other leg (a ringing B is cancelled).
                for (other, call) in calls.enumerated() where results[other] == nil { call.hangUp() }
                if results.count >= calls.count { steps.continuation.finish() }
            }
        }
        var legs: [Leg] = []
        for (index, stream) in streams.enumerated() {
            let rtp = try? await stream.stop().0
            if let result = results[index] { legs.append(Leg(result: result, rtp: rtp)) }
        }
        if let record, let recording = bridge.recording {
            do {
                try WAVWriter.write(path: record, channels: recording.channels, sampleRate: AudioFormat.sampleRate)
            } catch {
                Console.error("bridge", "cannot write \(record): \(error)")
            }
        }
        return legs
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
