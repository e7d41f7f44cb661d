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
    @Option(help: "From: a URI or a name-addr (\"Acme <sip:acme@example.com>\"). Default: sip:sipdial@<local address>.")
    var from: String?
    @Option(help: "Send the INVITE to this outbound proxy HOST[:PORT] instead of the target's host; repeat it for fallbacks tried in order on a transport error, timeout or 503.")
    var proxy: [String] = []
    @Option(help: "udp or tcp (default: the target's transport parameter, else udp).")
    var transport: String?
    @Option(help: "User name for digest authentication.")
    var user: String?
    @Option(help: "Password for digest authentication.")
    var password: String?
    @Option(help: "P-Asserted-Identity to send (RFC 3325), a URI or name-addr.")
    var assertedIdentity: String?
    @Flag(help: "Hide the caller ID: anonymous From and Privacy: id (RFC 3323); the real identity goes in P-Asserted-Identity.")
    var hideCallerID = false
    @Option(help: "Seconds to ring before cancelling.")
    var ringTimeout: Double = 60
    @Option(help: "Seconds to hold the answered call before hanging up.")
    var hold: Double = 0
    @Option(help: "After --hold, transfer the answered call to this sip: URI (blind transfer with REFER) instead of hanging up.")
    var transferTo: String?
    @Flag(help: "Follow a transfer the far end asks for (REFER): call the Refer-To target and report its progress. Off by default: a REFER would make sipdial dial a number the far end chose.")
    var followTransfers = false
    @Option(help: "Local address to listen on (default: the address that routes to the next hop).")
    var localAddress: String?
    @Option(help: "Play this WAV file (PCM, µ-law or A-law, 8-48 kHz) when the call is answered; the call hangs up --hold seconds after it has played.")
    var play: String?
    @Option(help: "Say this text (espeak-ng) when the call is answered, like --play; the audio is cached by text and voice.")
    var say: String?
    @Option(help: "espeak-ng voice for --say (en-us, en-gb, de, es, fr, ...).")
    var voice = "en-us"
    @Option(help: "Where --say keeps rendered audio (default $XDG_CACHE_HOME/sipdial/tts or ~/.cache/sipdial/tts).")
    var ttsCache: String?
    @Option(name: .customLong("repeat"), help: "Play the file this many times (0: until --hold ends).")
    var repeatCount = 1
    @Option(help: "Codec to offer: pcmu, pcma or opus; repeat it for a preference list (default: pcmu then pcma).")
    var codec: [AudioCodec] = []
    @Option(help: "Record what the far end sends to this WAV file (8 kHz mono).")
    var record: String?
    @Option(help: "Send these DTMF digits (0-9 * # A-D) as RFC 4733 telephone-events once answered.")
    var sendDtmf: String?
    @Option(help: "How DTMF is sent and detected: auto (RFC 4733 when the far end accepts telephone-events, else tones in the audio), rfc4733 or inband.")
    var dtmfMode: DTMFMode = .auto
    @Option(help: "Hang up once this many DTMF digits (RFC 4733) arrived, or at '#'; --hold is how long to wait for them.")
    var collectDtmf: Int?
    @Option(help: "RTP/RTCP port range LOW-HIGH: RTP on an even port, RTCP on the one above.")
    var rtpPorts: ClosedRange<Int> = 10_000...20_000
    @Option(help: "Hang up when no RTP arrives for this many seconds (0: never).")
    var rtpTimeout: Double = 30
    @Flag(help: "Print the outcome as one JSON object.")
    var json = false

    func validate() throws {
        guard let uri = try? SIPURI(parsing: target), uri.scheme == .sip || uri.scheme == .sips else {
            throw ValidationError("target '\(target)' is not a sip: URI")
        }
        if let transport { guard SIPTransportType(uriParameter: transport) != nil else { throw ValidationError("--transport must be udp or tcp") } }
        if let from { guard (try? SIPAddress(parsing: from)) != nil else { throw ValidationError("--from '\(from)' is not a SIP address") } }
        if let assertedIdentity { guard (try? SIPAddress(parsing: assertedIdentity)) != nil else { throw ValidationError("--asserted-identity '\(assertedIdentity)' is not a SIP address") } }
        for p in proxy { guard HostPort(p) != nil else { throw ValidationError("--proxy '\(p)' is not HOST[:PORT]") } }
        if let transferTo { guard let t = try? SIPURI(parsing: transferTo), t.scheme == .sip || t.scheme == .sips else { throw ValidationError("--transfer-to '\(transferTo)' is not a sip: URI") } }
        guard (user == nil) == (password == nil) else { throw ValidationError("--user and --password go together") }
        guard ringTimeout > 0, ringTimeout <= 600 else { throw ValidationError("--ring-timeout must be between 0 and 600 seconds") }
        guard hold >= 0, hold <= 86_400 else { throw ValidationError("--hold must be between 0 and 86400 seconds") }
        if let collectDtmf { guard collectDtmf > 0, collectDtmf <= 64 else { throw ValidationError("--collect-dtmf must be 1-64 digits") } }
        if let sendDtmf {
            guard !sendDtmf.isEmpty, sendDtmf.allSatisfy({ TelephoneEventPayload.event(for: $0) != nil }) else {
                throw ValidationError("--send-dtmf takes digits 0-9, *, #, A-D")
            }
        }
        guard repeatCount >= 0 else { throw ValidationError("--repeat must be 0 or more") }
        guard rtpTimeout >= 0 else { throw ValidationError("--rtp-timeout must be 0 or more seconds") }
        if play != nil, say != nil { throw ValidationError("--play and --say cannot be combined") }
        if let say { guard !say.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--say needs some text") } }
        if repeatCount == 0, play != nil || say != nil, hold == 0 { throw ValidationError("--repeat 0 plays until --hold ends: give --hold") }
    }

    func run() async throws {
        let uri = try SIPURI(parsing: target)
        let kind = transport.flatMap(SIPTransportType.init(uriParameter:)) ?? SIPTargetResolver.transport(for: uri)
        let hops = proxy.compactMap(HostPort.init)
        let hop = hops.first ?? HostPort(host: uri.hostWithoutBrackets, port: uri.port)
        let local = localAddress ?? LocalRoute.address(toward: hop.host) ?? "127.0.0.1"
        let fail: (String) -> Void = { printError($0) }
        // The file or text is read once, before any socket: a bad one is a usage error (exit 2).
        let audio: WAVAudio?
        do {
            audio = try CallMedia.loadAudio(play: play, say: say.map { SpeechRequest(text: $0, voice: voice) }, ttsCache: ttsCache)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let runs = try await CommandEndpoint.run(local: local, kind: kind, onError: fail) { endpoint in
            [try await call(uri, proxies: hops, audio: audio, endpoint: endpoint)]
        }
        let results = runs[0].results
        report(results[0], transfer: results.dropFirst().first, rtp: runs[0].rtp, digits: runs[0].digits)
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
    }

    /// Places the call and runs its audio.
    private func call(_ uri: SIPURI, proxies: [HostPort], audio: WAVAudio?, endpoint: CommandEndpoint) async throws -> Run {
        var destinations: [SIPDestination] = []
        if proxies.isEmpty {
            destinations = try await endpoint.destinations(for: uri, name: uri.host) { printError($0) }
        }
        for hop in proxies {
            let hopURI = SIPURI(host: hop.uriHost, port: hop.port, parameters: endpoint.transportParameters)
            destinations += try await endpoint.destinations(for: hopURI, name: hop.host) { printError($0) }
        }
        let media = try await CallMedia.prepare(playback: audio, repeatCount: repeatCount, record: record, rtpTimeout: rtpTimeout,
                                                dtmfMode: dtmfMode, rtpPorts: RTPPortAllocator(range: rtpPorts), host: endpoint.bound.ipAddress ?? "127.0.0.1", group: endpoint.group)
        let dispatcher = SIPSessionDispatcher(transactions: endpoint.transactions)
        var config = OutboundCall.Configuration(
            target: uri, from: callerAddress(endpoint), contact: endpoint.contact(user: "sipdial"), via: endpoint.via,
            destinations: destinations, transport: endpoint.kind,
            offer: AudioOffer(address: endpoint.bound.ipAddress ?? "127.0.0.1", port: media.localPort,
                              preferences: AudioPreferences(codecs: codec.isEmpty ? [.pcmu, .pcma] : codec)),
            ringTimeout: .milliseconds(Int64(ringTimeout * 1000)))
        config.username = user
        config.password = password
        config.headers = callerIDHeaders(endpoint) + [SIPHeaderField(.userAgent, "sipdial")]
        let steps = AsyncStream<Step>.makeStream()
        if followTransfers {
            config.onTransferRequest = { steps.continuation.yield(.transferRequested($0)) }
        }
        var calls: [OutboundCall] = []
        var results: [Int: CallResult] = [:]
        var digits: [ReceivedDigit] = []
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
                if !json { say("[\(code)] progress" + (index > 0 ? " (transfer)" : "")) }
                if index > 0 { calls[0].reportTransfer(status: code, reason: SIPResponse.defaultReason(code)) }
            case .call(let index, .answered(let sdp)):
                let negotiated = config.offer.negotiate(answer: sdp)
                let waitsForPlayback = media.plays && repeatCount > 0 && negotiated != nil
                if !json { say("[200] answered" + (index > 0 ? " (transfer)" : "") + (waitsForPlayback ? ", playing" : ", holding \(hold) s")) }
                if index > 0 { calls[0].reportTransfer(status: 200, reason: "OK") }
                if let negotiated {
                    do {
                        try media.start(negotiated, onPlaybackFinished: { steps.continuation.yield(.playbackFinished(index)) },
                                        onTimeout: { steps.continuation.yield(.mediaTimeout(index)) },
                                        onDigit: { steps.continuation.yield(.digit(index, $0)) })
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
                if !json { say("media changed: \(negotiated.codec.rawValue) to \(negotiated.remoteAddress):\(negotiated.remotePort), \(negotiated.direction.rawValue)") }
                do { try media.update(negotiated) } catch { printError("\(error)") }
            case .playbackFinished(let index):
                if !json { say("played \(play ?? ""), holding \(hold) s") }
                startHold(index)
            case .digit(let index, let digit):
                digits.append(digit)
                if !json { say("dtmf \(digit.digit)") }
                if let wanted = collectDtmf, digits.count == wanted || (digit.digit == "#" && digits.count <= wanted) {
                    calls[index].hangUp()
                }
            case .mediaTimeout(let index):
                printError("no RTP for \(rtpTimeout) s: hanging up")
                calls[index].hangUp()
            case .call(let index, .ended(let result)):
                results[index] = result
                if index > 0, result.outcome != .answered {
                    calls[0].reportTransfer(status: result.sipCode ?? 503, reason: result.reason ?? "Service Unavailable")
                }
                if results.count == calls.count {
                    let summary = try? await media.finish()
                    // The stream's list has each digit's final duration.
                    return Run(results: calls.indices.compactMap { results[$0] }, rtp: summary?.0, digits: summary?.1 ?? digits)
                }
            case .transferRequested(let target):
                guard calls.count == 1 else { continue }
                if !json { say("transfer requested to \(target)") }
                var next = config
                next.target = target
                next.to = nil
                next.onTransferRequest = nil
                if proxy.isEmpty {
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
        case call(Int, OutboundCall.Event)
        case transferRequested(SIPURI)
        case playbackFinished(Int)
        case mediaTimeout(Int)
        case digit(Int, ReceivedDigit)
    }

    /// From with the caller ID, or the anonymous From of RFC 3323 §4.1.1.3 with --hide-caller-id.
    private func callerAddress(_ endpoint: CommandEndpoint) -> SIPAddress {
        if hideCallerID {
            return SIPAddress(displayName: "\"Anonymous\"", uri: SIPURI(user: "anonymous", host: "anonymous.invalid"))
        }
        return realIdentity(endpoint)
    }

    private func realIdentity(_ endpoint: CommandEndpoint) -> SIPAddress {
        from.flatMap { try? SIPAddress(parsing: $0) } ?? SIPAddress(uri: SIPURI(user: user ?? "sipdial", host: endpoint.bound.sipHost))
    }

    /// P-Asserted-Identity (RFC 3325 §9.1) and Privacy (RFC 3323 §4.2).
    private func callerIDHeaders(_ endpoint: CommandEndpoint) -> [SIPHeaderField] {
        var headers: [SIPHeaderField] = []
        if let asserted = assertedIdentity.flatMap({ try? SIPAddress(parsing: $0) }) {
            headers.append(SIPHeaderField(.pAssertedIdentity, asserted.description))
        } else if hideCallerID {
            headers.append(SIPHeaderField(.pAssertedIdentity, realIdentity(endpoint).description))
        }
        if hideCallerID { headers.append(SIPHeaderField(.privacy, "id")) }
        return headers
    }

    private func report(_ r: CallResult, transfer: CallResult?, rtp: RTPStreamStatistics?, digits: [ReceivedDigit]) {
        if json {
            var object = jsonObject(r)
            object["dtmf"] = String(digits.map(\.digit))
            object["dtmf_events"] = digits.map { d -> [String: Any] in
                var event: [String: Any] = ["digit": String(d.digit), "at": (d.at * 1000).rounded() / 1000]
                event["duration_ms"] = d.durationMilliseconds
                return event
            }
            object["followed_transfer"] = transfer.map(jsonObject)
            if let rtp, rtp.packetsSent + rtp.packetsReceived > 0 { object["rtp"] = Self.jsonObject(rtp) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            say(String(decoding: data, as: UTF8.self))
        } else {
            say(textLine(r) + (digits.isEmpty ? "" : " dtmf=\(String(digits.map(\.digit)))"))
            if let transfer { say("followed transfer: " + textLine(transfer)) }
            if let rtp, rtp.packetsSent + rtp.packetsReceived > 0 {
                say("rtp sent=\(rtp.packetsSent) received=\(rtp.packetsReceived) lost=\(rtp.packetsLost) jitter=\(rtp.jitterMilliseconds)ms dropped=\(rtp.packetsDropped) remote=\(rtp.remote ?? "-")")
            }
        }
    }

    private func jsonObject(_ r: CallResult) -> [String: Any] {
        var object: [String: Any] = ["outcome": r.outcome.name, "provisionals": r.provisionals]
        object["sip_code"] = r.sipCode
        object["reason"] = r.reason
        object["hung_up_by"] = r.hungUpBy?.rawValue
        object["transfer_code"] = r.transferCode
        if let q = r.q850 { object["q850"] = ["cause": q.cause, "text": q.text as Any] }
        var times: [String: Double] = ["ended": r.ended]
        times["first_response"] = r.firstResponse
        times["ringing"] = r.ringing
        times["answered"] = r.answered
        times["talk"] = r.talkTime
        object["times"] = times
        return object
    }

    private static func jsonObject(_ s: RTPStreamStatistics) -> [String: Any] {
        var o: [String: Any] = ["packets_sent": s.packetsSent, "octets_sent": s.octetsSent, "packets_received": s.packetsReceived,
                                "octets_received": s.octetsReceived, "packets_lost": s.packetsLost,
                                "jitter_ms": s.jitterMilliseconds, "packets_dropped": s.packetsDropped]
        o["remote"] = s.remote
        o["rtcp_sent"] = s.rtcpSent
        o["rtcp_received"] = s.rtcpReceived
        o["rtt_ms"] = s.rttMilliseconds
        return o
    }

    private func textLine(_ r: CallResult) -> String {
        var line = "outcome=\(r.outcome.name)"
        if let code = r.sipCode { line += " code=\(code)" }
        if let reason = r.reason { line += " reason=\"\(reason)\"" }
        if let q = r.q850 { line += " q850=\(q.cause)" }
        if let by = r.hungUpBy { line += " hung-up-by=\(by.rawValue)" }
        if let code = r.transferCode { line += " transfer=\(code)" }
        if let talk = r.talkTime { line += String(format: " talk=%.3fs", talk) }
        return line
    }

    /// Writes a line to standard output at once (progress must show while the call runs).
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func printError(_ error: String) {
        FileHandle.standardError.write(Data(("sipdial call: " + error + "\n").utf8))
    }
}

extension HostPort {
    init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }
}

extension DTMFMode: ExpressibleByArgument {}
extension AudioCodec: ExpressibleByArgument {}

/// `LOW-HIGH` for --rtp-ports.
extension ClosedRange<Int>: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        let parts = argument.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1024, parts[1] <= 65535, parts[1] - parts[0] >= 1 else { return nil }
        self = parts[0]...parts[1]
    }
}
