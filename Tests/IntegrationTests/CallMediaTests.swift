import Foundation
import Media
import Testing

/// `sipdial call --play/--record` against SIPp answering with `-rtp_echo` on 127.0.0.1:
/// what sipdial plays comes back, and the recording matches the source.
@Suite(.serialized)
struct CallMediaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let prompt = repository.appendingPathComponent("Audio/prompt-en.wav").path

    /// What `sipdial call --json` printed and how it exited.
    struct Call {
        let status: Int32?
        let output: String
        let json: [String: Any]
        var rtp: [String: Any] { json["rtp"] as? [String: Any] ?? [:] }
    }

    /// Runs `sipdial call <target> --json args` against a fresh SIPp UAS on 127.0.0.1
    /// (`scenario`, or the built-in `uas` for nil; with `-rtp_echo` when `echo`) and checks
    /// that SIPp went through its whole scenario.
    static func callSIPp(_ scenario: String?, echo: Bool, user: String, _ args: [String], in dir: URL) async throws -> Call {
        let uas = scenario.map { ["-sf", SIPp.scenario($0)] } ?? ["-sn", "uas"]
        let (sipp, port) = try await SIPp.listening(uas + (echo ? ["-rtp_echo"] : []) + ["-mp", String(Ports.free()), "-t", "u1", "-m", "1"],
                                                    timeoutSeconds: 30, in: dir)
        let (status, out) = try await SipdialBinary.run(["call", "sip:\(user)@127.0.0.1:\(port)", "--local-address", "127.0.0.1", "--json"] + args,
                                                        timeout: .seconds(40))
        #expect(await sipp.wait(timeout: .seconds(20)) == 0, "SIPp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        return Call(status: status, output: out, json: SipdialBinary.jsonObject(in: out))
    }


    @Test func playedAudioComesBackThroughAnRTPEcho() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recording = dir.appendingPathComponent("echo.wav").path
        let call = try await Self.callSIPp(nil, echo: true, user: "echo", ["--play", Self.prompt, "--record", recording, "--hold", "0.5"], in: dir)
        let (status, out, rtp) = (call.status, call.output, call.rtp)
        #expect(status == 0, "\(out)")
        let sent = rtp["packets_sent"] as? Int ?? 0
        let received = rtp["packets_received"] as? Int ?? 0
        // 5.25 s of audio is 263 packets, then 0.5 s of silence while holding.
        #expect(sent >= 263 && sent < 320, "\(out)")
        #expect(received >= sent - 30, "the echo returns nearly every packet: \(out)")
        #expect(rtp["packets_lost"] as? Int == 0, "\(out)")

        let source = try WAVAudio.read(path: Self.prompt).samples
        let echoed = try WAVAudio.read(path: recording).samples
        let (correlation, lag) = Self.bestCorrelation(source, echoed, maxLag: 160)
        #expect(correlation >= 0.98, "normalized cross-correlation \(correlation) at lag \(lag)")
    }

    /// An Opus call (RFC 7587, 48 kHz RTP clock): SIPp answers with opus/48000/2 and echoes;
    /// sipdial's Opus-decoded recording matches the prompt after the codec's 6.5 ms delay.
    @Test func opusCallCarriesTheAudio() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recording = dir.appendingPathComponent("opus.wav").path
        let call = try await Self.callSIPp("uas_opus_echo", echo: true, user: "echo", ["--codec", "opus", "--play", Self.prompt, "--record", recording, "--hold", "0.5"], in: dir)
        let (status, out, rtp) = (call.status, call.output, call.rtp)
        #expect(status == 0, "\(out)")
        #expect((rtp["packets_received"] as? Int ?? 0) >= 263, "\(out)")
        // Opus packets are far smaller than G.711's 160 bytes.
        #expect((rtp["octets_sent"] as? Int ?? 0) < 100 * (rtp["packets_sent"] as? Int ?? 1), "\(out)")
        // An Opus call runs and records at 16 kHz: the echo is compared with the prompt
        // converted to 16 kHz, as sipdial played it.
        let source = try WAVAudio.read(path: Self.prompt).resampled(to: 16000).samples
        let echoed = try WAVAudio.read(path: recording)
        #expect(echoed.sampleRate == 16000)
        let (correlation, lag) = Self.bestCorrelation(source, echoed.samples, maxLag: 320)
        #expect(correlation >= 0.9 && lag >= 0, "normalized cross-correlation \(correlation) at lag \(lag) (0.962-0.968 at 104 measured: 6.5 ms at 16 kHz)")
    }

    /// SIPp replays its shipped RFC 4733 captures (digits 1, 2, 3, #): sipdial reports each
    /// digit once and hangs up at '#'.
    @Test func telephoneEventsFromSIPpCapturesAreCollected() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = try await Self.callSIPp("uas_dtmf_2833", echo: false, user: "ivr", ["--collect-dtmf", "8", "--hold", "15"], in: dir)
        let (status, out, json) = (call.status, call.output, call.json)
        #expect(status == 0, "\(out)")
        #expect(json["dtmf"] as? String == "123#", "\(out)")
        let events = json["dtmf_events"] as? [[String: Any]] ?? []
        // Each capture holds its digit 280 ms; the call ends at the first packet of '#'.
        #expect(events.prefix(3).map { $0["duration_ms"] as? Int ?? 0 } == [280, 280, 280], "\(out)")
        let talk = (json["times"] as? [String: Any])?["talk"] as? Double ?? 99
        #expect(talk < 10, "'#' ended the call before --hold: \(out)")
    }

    /// Digits sipdial sends as telephone-events come back through SIPp's RTP echo and are
    /// read by sipdial's own receiver.
    @Test func sentTelephoneEventsReadBackThroughAnEcho() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = try await Self.callSIPp("uas_telephone_event_echo", echo: true, user: "echo", ["--send-dtmf", "90*#", "--collect-dtmf", "4", "--hold", "15"], in: dir)
        let (status, out, json) = (call.status, call.output, call.json)
        #expect(status == 0, "\(out)")
        #expect(json["dtmf"] as? String == "90*#", "\(out)")
        let events = json["dtmf_events"] as? [[String: Any]] ?? []
        #expect(events.prefix(3).map { $0["duration_ms"] as? Int ?? 0 } == [100, 100, 100], "\(out)")
    }

    /// SIPp's built-in UAS answers PCMU without telephone-event, so `--dtmf-mode auto` sends
    /// tones in the audio; they come back through the echo and spandsp's detector reads them.
    @Test func inbandDigitsWhenTheAnswerHasNoTelephoneEvent() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = try await Self.callSIPp(nil, echo: true, user: "echo", ["--send-dtmf", "147#", "--collect-dtmf", "4", "--hold", "15"], in: dir)
        let (status, out, json) = (call.status, call.output, call.json)
        #expect(status == 0, "\(out)")
        #expect(json["dtmf"] as? String == "147#", "\(out)")
        let events = json["dtmf_events"] as? [[String: Any]] ?? []
        #expect(events.allSatisfy { $0["duration_ms"] == nil }, "in-band digits have no measured duration: \(out)")
    }

    /// The same over wideband Opus (`uas_opus_echo`): the tones go out at 16 kHz through
    /// Opus, come back through SIPp's echo, and reach the 8 kHz detector converted down.
    @Test func inbandDigitsOverWidebandOpus() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = try await Self.callSIPp("uas_opus_echo", echo: true, user: "echo",
                                           ["--codec", "opus", "--dtmf-mode", "inband", "--send-dtmf", "258#", "--collect-dtmf", "4", "--hold", "15"], in: dir)
        #expect(call.status == 0, "\(call.output)")
        #expect(call.json["dtmf"] as? String == "258#", "\(call.output)")
    }

    @Test func badWAVFailsBeforeAnyCallNamingTheFile() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("truncated.wav")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.prompt)))
        bytes.removeLast(bytes.count - 100)
        try Data(bytes).write(to: truncated)
        let port = Ports.free()
        let (status, out) = try await SipdialBinary.run(["call", "sip:nobody@127.0.0.1:\(port)", "--play", truncated.path], timeout: .seconds(20))
        #expect(status == 2, "\(out)")
        #expect(out.contains("truncated.wav") && out.contains("truncated file or lying header"), "\(out)")
        let text = dir.appendingPathComponent("notes.wav")
        try Data("hello".utf8).write(to: text)
        let (status2, out2) = try await SipdialBinary.run(["call", "sip:nobody@127.0.0.1:\(port)", "--play", text.path], timeout: .seconds(20))
        #expect(status2 == 2 && out2.contains("notes.wav: not a RIFF/WAVE file"), "\(out2)")
    }

    /// The largest normalized cross-correlation of `b` against `a` for lags within ±maxLag.
    static func bestCorrelation(_ a: [Int16], _ b: [Int16], maxLag: Int) -> (Double, Int) {
        var best = (-1.0, 0)
        for lag in -maxLag...maxLag {
            var ab = 0.0, aa = 0.0, bb = 0.0
            for i in 0..<a.count {
                let j = i + lag
                guard j >= 0, j < b.count else { continue }
                let x = Double(a[i]), y = Double(b[j])
                ab += x * y
                aa += x * x
                bb += y * y
            }
            if aa > 0, bb > 0, ab / (aa * bb).squareRoot() > best.0 { best = (ab / (aa * bb).squareRoot(), lag) }
        }
        return best
    }
}

/// `sipdial call --say` with espeak-ng, against SIPp's RTP echo.
@Suite(.serialized)
struct CallSpeechTests {
    @Test func spokenTextIsSentAndCachedForTheNextCall() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("tts")
        var modified: Date?
        for attempt in 0..<2 {
            let call = try await CallMediaTests.callSIPp(nil, echo: true, user: "tts",
                                                         ["--say", "Your appointment is tomorrow at nine.", "--tts-cache", cache.path], in: dir)
            let (status, out, rtp) = (call.status, call.output, call.rtp)
            #expect(status == 0, "\(out)")
            #expect((rtp["packets_sent"] as? Int ?? 0) > 50 && (rtp["packets_received"] as? Int ?? 0) > 50, "\(out)")
            let files = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".wav") }
            #expect(files.count == 1, "\(files)")
            let date = try FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent(files[0]).path)[.modificationDate] as? Date
            if attempt == 1 { #expect(date == modified, "the second call rendered nothing: the cached file is untouched") }
            modified = date
        }
    }

    @Test func unknownVoiceIsAUsageError() async throws {
        let (status, out) = try await SipdialBinary.run(["call", "sip:nobody@127.0.0.1:\(Ports.free())", "--say", "hello", "--voice", "xx-nowhere",
                                                         "--tts-cache", FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-tts-x").path], timeout: .seconds(20))
        #expect(status == 2 && out.contains("unknown voice 'xx-nowhere'"), "\(out)")
    }
}
