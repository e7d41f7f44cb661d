import ArgumentParser
import Foundation
import Media
import NIOCore
import NIOPosix
import RTP
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// `sipdial call`: places one call, holds it for `--hold` seconds unless the far end hangs up,
/// hangs up and prints the outcome. Exit 0 when answered, 1 for a SIP-level failure (busy,
/// no answer, rejected, authentication), 2 usage, 3 network (no route, no response).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Place one call and print its outcome."
    )

    @Argument(help: "Who to call: a sip: or sips: URI (sip:alice@example.com, sip:+15551234@trunk:5060).")
    var target: String
    @OptionGroup var dial: DialOptions
    @Option(help: "Seconds to hold the answered call before hanging up.")
    var hold: Double = 0
    @Option(help: "After --hold, transfer the answered call to this sip: URI (blind transfer with REFER) instead of hanging up.")
    var transferTo: String?
    @Flag(help: "Follow a transfer the far end asks for (REFER): call the Refer-To target and report its progress. Off by default: a REFER would make sipdial dial a number the far end chose.")
    var followTransfers = false
    /// --play or --say; the call hangs up --hold seconds after the prompt has played.
    @OptionGroup var prompt: PromptOptions
    @Option(name: .customLong("repeat"), help: "Play the file this many times (0: until --hold ends).")
    var repeatCount = 1
    @Option(help: "Record what the far end sends to this WAV file (mono; 8 kHz, or 16 kHz for Opus).")
    var record: String?
    @Flag(help: "With --record: keep both directions as two channels, what sipdial sent on the left and what the far end sent on the right.")
    var recordBoth = false
    @Option(help: "Send these DTMF digits (0-9 * # A-D) as RFC 4733 telephone-events once answered.")
    var sendDtmf: String?
    @Option(help: "How DTMF is sent and detected: auto (RFC 4733 when the far end accepts telephone-events, else tones in the audio), rfc4733 or inband.")
    var dtmfMode: DTMFMode = .auto
    @Option(help: "Hang up once this many DTMF digits (RFC 4733) arrived, or at '#'; --hold is how long to wait for them.")
    var collectDtmf: Int?
    @Flag(help: "Answering-machine detection on the answered call: its verdict (human, machine, notsure, silence, fax), cause, evidence and beep in the report (the JSON's \"amd\"); --hold is how long it may listen.")
    var amd = false

    func validate() throws {
        _ = try DialOptions.sipURI(target, option: "target")
        if let transferTo { guard let t = try? SIPURI(parsing: transferTo), t.scheme == .sip || t.scheme == .sips else { throw ValidationError("--transfer-to '\(transferTo)' is not a sip: URI") } }
        guard hold >= 0, hold <= 86_400 else { throw ValidationError("--hold must be between 0 and 86400 seconds") }
        if let collectDtmf { guard collectDtmf > 0, collectDtmf <= 64 else { throw ValidationError("--collect-dtmf must be 1-64 digits") } }
        if let sendDtmf {
            guard !sendDtmf.isEmpty, sendDtmf.allSatisfy({ TelephoneEventPayload.event(for: $0) != nil }) else {
                throw ValidationError("--send-dtmf takes digits 0-9, *, #, A-D")
            }
        }
        if recordBoth, record == nil { throw ValidationError("--record-both needs --record FILE") }
        guard repeatCount >= 0 else { throw ValidationError("--repeat must be 0 or more") }
        if repeatCount == 0, prompt.isSet, hold == 0 { throw ValidationError("--repeat 0 plays until --hold ends: give --hold") }
    }

    func run() async throws {
        let uri = try SIPURI(parsing: target)
        let fail: (String) -> Void = { printError($0) }
        let audio = try prompt.load(command: "call", sampleRate: dial.audioSampleRate)
        let runs = try await CommandEndpoint.run(local: dial.localAddress(toward: uri), kind: try dial.transportKind(for: uri), tls: dial.tls.settings, trace: try dial.trace.open(), onError: fail) { endpoint in
            [try await call(uri, audio: audio, endpoint: endpoint)]
        }
        let results = runs[0].results
        report(results[0], transfer: results.dropFirst().first, rtp: runs[0].rtp, digits: runs[0].digits, amd: runs[0].amd)
        switch results[0].outcome {
        case .answered: return
        case .unreachable: throw ExitCode(3)
        default: throw ExitCode(1)
        }
    }

    /// The results of the call and of the call a followed transfer placed, and the RTP figures.
    private struct Run {
        var results: [CallResult]
        var rtp: RTPStreamStatistics?
        var digits: [ReceivedDigit] = []
        var amd: AMDResult?
    }

    /// Places the call and runs its audio.
    private func call(_ uri: SIPURI, audio: WAVAudio?, endpoint: CommandEndpoint) async throws -> Run {
        let destinations = try await dial.destinations(for: uri, endpoint: endpoint) { printError($0) }
        let media = try CallMedia.prepare(playback: audio, repeatCount: repeatCount, record: record, recordBoth: recordBoth, rtpTimeout: dial.rtpTimeout,
                                                dtmfMode: dtmfMode, rtpPorts: RTPPortAllocator(range: dial.rtpPorts), host: endpoint.bound.ipAddress ?? "127.0.0.1", group: endpoint.group)
        let dispatcher = SIPSessionDispatcher(transactions: endpoint.transactions)
        var config = dial.configuration(target: uri, destinations: destinations, mediaPort: media.localPort, endpoint: endpoint)
        let steps = AsyncStream<Step>.makeStream()
        if followTransfers {
            config.onTransferRequest = { steps.continuation.yield(.transferRequested($0)) }
        }
        var calls: [OutboundCall] = []
        var results: [Int: CallResult] = [:]
        var digits: [ReceivedDigit] = []
        var earlyAudio: NegotiatedAudio?
        var verdict: AMDResult?
        var holdTimers: [Task<Void, Never>] = []
        defer { holdTimers.forEach { $0.cancel() } }
        func place(_ configuration: OutboundCall.Configuration) {
            let index = calls.count
            let call = OutboundCall(configuration: configuration, dispatcher: dispatcher, resolver: endpoint.resolver) {
                steps.continuation.yield(.call(index, $0))
            }
            calls.append(call)
            call.start()
        }
        /// Hangs up (or transfers) the call `--hold` seconds from now.
        func startHold(_ index: Int) {
            let call = calls[index]
            let seconds = hold
            let transferTarget = index == 0 ? transferTo.flatMap { try? SIPURI(parsing: $0) } : nil
            holdTimers.append(Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                guard !Task.isCancelled else { return }
                if let transferTarget { call.transfer(to: transferTarget) } else { call.hangUp() }
            })
        }
        place(config)
        for await step in steps.stream {
            switch step {
            case .call(let index, .progress(let code)):
                if !dial.json { say("[\(code)] progress" + (index > 0 ? " (transfer)" : "")) }
                if index > 0 { calls[0].reportTransfer(status: code, reason: SIPResponse.defaultReason(code)) }
            case .call(_, .earlyMedia(let sdp)):
                // Early media (183 with SDP): receive and record now, play the prompt at the answer.
                earlyAudio = config.offer.negotiate(answer: sdp)
                guard let early = earlyAudio else { continue }
                do {
                    try media.start(early, onTimeout: { steps.continuation.yield(.mediaTimeout(0)) }, onDigit: { steps.continuation.yield(.digit(0, $0)) })
                } catch {
                    printError("\(error)")
                }
            case .call(let index, .answered(let sdp)):
                // A 2xx without SDP keeps the answer its 183 gave (RFC 3261 §13.2.1).
                let negotiated = config.offer.negotiate(answer: sdp) ?? earlyAudio
                let waitsForPlayback = media.plays && repeatCount > 0 && negotiated != nil
                if !dial.json { say("[200] answered" + (index > 0 ? " (transfer)" : "") + (waitsForPlayback ? ", playing" : ", holding \(hold) s")) }
                if index > 0 { calls[0].reportTransfer(status: 200, reason: "OK") }
                if let negotiated {
                    do {
                        try media.start(negotiated, onTimeout: { steps.continuation.yield(.mediaTimeout(index)) },
                                        onDigit: { steps.continuation.yield(.digit(index, $0)) })
                        media.playPrompt { steps.continuation.yield(.playbackFinished(index)) }
                        if amd, index == 0, !media.startAMD(AMDSettings(), onEvent: { steps.continuation.yield(.amd($0)) }) {
                            printError("--amd: the call has no audio")
                        }
                        if let sendDtmf {
                            if dtmfMode == .rfc4733, negotiated.telephoneEvent == nil {
                                printError("the far end did not accept telephone-events: --send-dtmf not sent (try --dtmf-mode inband)")
                            }
                            media.send(digits: sendDtmf)
                        }
                    } catch {
                        printError("\(error)")
                    }
                } else {
                    printError("the answer has no usable SDP: no audio")
                }
                if !waitsForPlayback { startHold(index) }
            case .call(_, .mediaChanged(let negotiated)):
                if !dial.json { say("media changed: \(negotiated.codec.rawValue) to \(negotiated.remoteAddress):\(negotiated.remotePort), \(negotiated.direction.rawValue)") }
                do { try media.update(negotiated) } catch { printError("\(error)") }
            case .call(_, .offerReceived), .call(_, .offerAnswered), .call(_, .offerRefused):
                // `call` answers no offers itself (no `ownerMediaTypes`) and makes none.
                continue
            case .playbackFinished(let index):
                if !dial.json { say("played \(prompt.play ?? "the text"), holding \(hold) s") }
                startHold(index)
            case .digit(let index, let digit):
                digits.append(digit)
                if !dial.json { say("dtmf \(digit.digit)") }
                if let wanted = collectDtmf, digits.count == wanted || (digit.digit == "#" && digits.count <= wanted) {
                    calls[index].hangUp()
                }
            case .amd(let event):
                switch event {
                case .verdict(let result), .revised(let result):
                    verdict = result
                    if !dial.json { say("amd: \(result.verdict.rawValue) (\(result.cause), \(result.decisionMs) ms)") }
                case .beep(let beep):
                    verdict?.beep = beep
                    if !dial.json { say("amd: beep \(beep.frequencyHz) Hz from \(beep.startMs) to \(beep.endMs) ms") }
                case .greetingEnded, .specialInformationTone: break
                }
            case .mediaTimeout(let index):
                printError("no RTP for \(dial.rtpTimeout) s: hanging up")
                calls[index].hangUp()
            case .call(let index, .ended(let result)):
                results[index] = result
                if index > 0, result.outcome != .answered {
                    calls[0].reportTransfer(status: result.sipCode ?? 503, reason: result.reason ?? "Service Unavailable")
                }
                if results.count == calls.count {
                    let summary = try? await media.finish()
                    // The stream's list has each digit's final duration.
                    return Run(results: calls.indices.compactMap { results[$0] }, rtp: summary?.0, digits: summary?.1 ?? digits, amd: verdict)
                }
            case .transferRequested(let target):
                guard calls.count == 1 else { continue }
                if !dial.json { say("transfer requested to \(target)") }
                var next = config
                next.target = target
                next.to = nil
                next.onTransferRequest = nil
                if dial.proxy.isEmpty {
                    do { next.destinations = try await endpoint.resolver.resolve(target, transport: endpoint.kind) } catch {
                        calls[0].reportTransfer(status: 503, reason: "Service Unavailable")
                        continue
                    }
                }
                place(next)
            }
        }
        _ = try? await media.finish()
        return Run(results: [CallResult(outcome: .unreachable("the call ended without a result"))])
    }

    private enum Step {
        case call(Int, CallEvent)
        case transferRequested(SIPURI)
        case playbackFinished(Int)
        case mediaTimeout(Int)
        case digit(Int, ReceivedDigit)
        case amd(AMDEvent)
    }

    private func report(_ r: CallResult, transfer: CallResult?, rtp: RTPStreamStatistics?, digits: [ReceivedDigit], amd verdict: AMDResult?) {
        if dial.json {
            var object = r.jsonObject
            object["dtmf"] = String(digits.map(\.digit))
            object["dtmf_events"] = digits.map { d -> [String: Any] in
                var event: [String: Any] = ["digit": String(d.digit), "at": (d.at * 1000).rounded() / 1000]
                event["duration_ms"] = d.durationMilliseconds
                return event
            }
            object["followed_transfer"] = transfer.map(\.jsonObject)
            if let rtp, rtp.packetsSent + rtp.packetsReceived > 0 { object["rtp"] = rtp.jsonObject }
            if amd {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                object["amd"] = verdict.flatMap { try? JSONSerialization.jsonObject(with: encoder.encode($0)) } ?? NSNull()
            }
            Console.json(object)
        } else {
            say(r.textLine + (digits.isEmpty ? "" : " dtmf=\(String(digits.map(\.digit)))"))
            if let transfer { say("followed transfer: " + transfer.textLine) }
            if let rtp, rtp.packetsSent + rtp.packetsReceived > 0 {
                say(rtp.textLine)
            }
        }
    }

    private func say(_ line: String) { Console.say(line) }

    private func printError(_ error: String) { Console.error("call", error) }
}

extension HostPort {
    init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }
}

extension DTMFMode: ExpressibleByArgument {}
extension AudioCodec: ExpressibleByArgument {}
extension SRTPPolicy: ExpressibleByArgument {}

/// `LOW-HIGH` for --rtp-ports.
extension ClosedRange<Int>: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        let parts = argument.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1024, parts[1] <= 65535, parts[1] - parts[0] >= 1 else { return nil }
        self = parts[0]...parts[1]
    }
}
