import Foundation
import Media
import Testing

/// `sipdial bridge` between two `sipdial simulate` trunks on 127.0.0.1, each playing its own
/// audio and recording what it hears: party A's audio reaches party B and B's reaches A
/// (with transcoding: A talks PCMA, B Opus), A hears ringback while B rings, and the
/// two-channel recording holds A on the left and B on the right. Measured: B hears A at
/// 0.976 normalized cross-correlation (PCMA then Opus), A hears B at 0.995, and the
/// recording's channels at 0.9999 and 0.995.
@Suite(.serialized)
struct BridgeCommandTests {
    /// Two `sipdial simulate` parties bridged by `sipdial bridge … --json` with `options`: A
    /// answers at once with `answeringA` and plays the prompt, B answers Opus a second later
    /// and plays a 3 s chirp (300-3,000 Hz, 8 kHz). The caller stops both.
    static func bridge(answeringA: String, _ options: [String], in dir: URL) async throws
        -> (a: SimulatorProcess, b: SimulatorProcess, status: Int32?, output: String) {
        let chirpFile = dir.appendingPathComponent("chirp.wav").path
        try WAVWriter.write(path: chirpFile, channels: [AudioMatch.chirp(seconds: 3)], sampleRate: 8000)
        let a = try await SimulatorProcess.start(["--play", CallMediaTests.prompt, "--codec", answeringA], recordingInto: dir)
        let b = try await SimulatorProcess.start(["--play", chirpFile, "--codec", "opus", "--answer-after", "1"], recordingInto: dir)
        let (status, out) = try await SipdialBinary.run(
            ["bridge", "sip:agent@127.0.0.1:\(a.port)", "sip:customer@127.0.0.1:\(b.port)", "--local-address", "127.0.0.1", "--json"] + options,
            timeout: .seconds(30))
        return (a, b, status, out)
    }

    @Test func bridgedPartiesHearEachOtherAndTheRecordingHoldsBoth() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompt = try WAVAudio.read(path: CallMediaTests.prompt).samples
        let chirp = AudioMatch.chirp(seconds: 3)
        let both = dir.appendingPathComponent("both.wav").path
        let (a, b, status, out) = try await Self.bridge(answeringA: "pcma", ["--codec", "pcma", "--codec", "opus", "--hold", "4", "--record", both], in: dir)
        defer {
            a.process.stop()
            b.process.stop()
        }
        #expect(status == 0, "\(out)")
        let json = SipdialBinary.jsonObject(in: out)
        for leg in ["a", "b"] {
            let rtp = (json[leg] as? [String: Any])?["rtp"] as? [String: Any] ?? [:]
            #expect((rtp["packets_received"] as? Int ?? 0) >= 190, "leg \(leg): \(out)")
            #expect(rtp["packets_lost"] as? Int == 0, "leg \(leg): \(out)")
        }

        // B heard A's prompt (PCMA decoded, Opus encoded): a second of it is found in the prompt.
        let heardByB = try await b.recording()
        // B answered about 1 s after A's prompt began: B's 0.5 s mark is near the prompt's 1.5 s.
        let fromA = AudioMatch.locate(heardByB[4000..<8000], in: prompt, near: 12_000)
        #expect(fromA.correlation >= 0.93, "B hears A: correlation \(fromA.correlation) at \(fromA.offset)")

        // A heard ringback while B rang (1 s), then B's chirp (Opus decoded, PCMA encoded).
        let heardByA = try await a.recording()
        let ringing = heardByA[800..<6400]
        #expect(FrequencyShare.of(440, in: ringing) > 0.3 && FrequencyShare.of(480, in: ringing) > 0.3, "ringback while B rings")
        let fromB = AudioMatch.locate(heardByA[12_000..<16_000], in: chirp, near: 4000)
        #expect(fromB.correlation >= 0.95, "A hears B: correlation \(fromB.correlation) at \(fromB.offset)")

        let channels = try WAVAudio.readChannels(path: both).channels
        #expect(channels.count == 2 && channels[0].count == channels[1].count)
        let left = AudioMatch.locate(channels[0][4000..<8000], in: prompt, near: 4000)
        let right = AudioMatch.locate(channels[1][12_000..<16_000], in: chirp, near: 4000)
        #expect(left.correlation >= 0.98, "left channel is A: \(left.correlation)")
        #expect(right.correlation >= 0.95, "right channel is B: \(right.correlation)")
        // B was answered about 1 s after A: the right channel is silent before that.
        #expect(channels[1][0..<4000].allSatisfy { $0 == 0 }, "B's channel starts when B answers")
    }

    @Test func aFailedSecondLegHangsUpTheFirst() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try await SimulatorProcess.start([], recordingInto: dir)
        defer { a.process.stop() }
        let (busy, port) = try await SIPp.listening(["-sf", SIPp.scenario("uas_busy"), "-t", "u1", "-m", "1"], timeoutSeconds: 30, in: dir)
        let (status, out) = try await SipdialBinary.run(
            ["bridge", "sip:agent@127.0.0.1:\(a.port)", "sip:customer@127.0.0.1:\(port)", "--local-address", "127.0.0.1", "--json"],
            timeout: .seconds(30))
        #expect(status == 1, "\(out)")
        #expect(await busy.wait(timeout: .seconds(10)) == 0, "SIPp: \(busy.text.suffix(600))")
        let json = SipdialBinary.jsonObject(in: out)
        #expect((json["a"] as? [String: Any])?["outcome"] as? String == "answered", "\(out)")
        #expect((json["b"] as? [String: Any])?["sip_code"] as? Int == 486, "\(out)")
        #expect(((json["a"] as? [String: Any])?["hung_up_by"] as? String) == "local", "A is hung up when B fails: \(out)")
    }

    /// `sipdial call --record-both` over Opus, sipdial to sipdial: the left channel holds
    /// what sipdial played, the right what the simulator played back to it.
    /// Two Opus parties bridged with `--codec opus`: the bridge carries 16 kHz and its
    /// two-channel recording is a 16 kHz file holding A's prompt and B's chirp.
    @Test func anOpusBridgeRecordsWideband() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let both = dir.appendingPathComponent("both16.wav").path
        let (a, b, status, out) = try await Self.bridge(answeringA: "opus", ["--codec", "opus", "--hold", "3", "--record", both], in: dir)
        defer {
            a.process.stop()
            b.process.stop()
        }
        #expect(status == 0, "\(out)")
        let recorded = try WAVAudio.readChannels(path: both)
        #expect(recorded.sampleRate == 16000 && recorded.channels.count == 2)
        guard recorded.channels.count == 2, recorded.channels[1].count >= 48_000 else { return }
        let prompt16 = try WAVAudio.read(path: CallMediaTests.prompt).resampled(to: 16000).samples
        let left = AudioMatch.locate(recorded.channels[0][8000..<14_000], in: prompt16, near: 8000, within: 8000)
        let right = AudioMatch.locate(recorded.channels[1][40_000..<46_000], in: AudioMatch.chirp(seconds: 3, rate: 16000), near: 16_000, within: 16_000)
        #expect(left.correlation >= 0.95, "left channel is A: \(left.correlation)")
        #expect(right.correlation >= 0.95, "right channel is B: \(right.correlation)")
        // B heard A through the 16 kHz bridge.
        let heardByB = try await b.recording()
        let fromA = AudioMatch.locate(heardByB[4000..<8000], in: try WAVAudio.read(path: CallMediaTests.prompt).samples, near: 12_000)
        #expect(fromA.correlation >= 0.93, "B hears A: correlation \(fromA.correlation) at \(fromA.offset)")
    }

    @Test func callRecordsBothDirectionsOverOpus() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chirp = AudioMatch.chirp(seconds: 3)
        let chirpFile = dir.appendingPathComponent("chirp.wav").path
        try WAVWriter.write(path: chirpFile, channels: [chirp], sampleRate: 8000)
        let far = try await SimulatorProcess.start(["--play", chirpFile, "--codec", "opus"], recordingInto: dir)
        defer { far.process.stop() }
        let both = dir.appendingPathComponent("call.wav").path
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:ivr@127.0.0.1:\(far.port)", "--local-address", "127.0.0.1", "--codec", "opus",
             "--play", CallMediaTests.prompt, "--record", both, "--record-both", "--json"], timeout: .seconds(30))
        #expect(status == 0, "\(out)")
        // The call ran at Opus's 16 kHz, and so did its recording: it is compared with the
        // prompt and the chirp at 16 kHz (at 8 kHz its channels may sit half a sample off).
        let recorded = try WAVAudio.readChannels(path: both)
        #expect(recorded.sampleRate == 16000)
        let channels = recorded.channels
        #expect(channels.count == 2)
        let prompt = try WAVAudio.read(path: CallMediaTests.prompt).samples
        let prompt16 = try WAVAudio.read(path: CallMediaTests.prompt).resampled(to: 16000).samples
        let sent = AudioMatch.locate(channels[0][16_000..<22_000], in: prompt16, near: 16_000, within: 8000)
        // The far end starts playing when its own media starts, which on a loaded machine can
        // be some hundreds of milliseconds after sipdial's; the chirp is unambiguous anywhere.
        let received = AudioMatch.locate(channels[1][16_000..<22_000], in: AudioMatch.chirp(seconds: 3, rate: 16000), near: 16_000, within: 8000)
        #expect(sent.correlation >= 0.99, "left channel is what sipdial sent: \(sent.correlation)")
        #expect(received.correlation >= 0.95, "right channel is what the far end sent: \(received.correlation)")
        // The simulator heard the prompt through Opus.
        let heard = try await far.recording()
        let atFar = AudioMatch.locate(heard[8000..<12_000], in: prompt, near: 8000, within: 4000)
        #expect(atFar.correlation >= 0.95, "the far end hears the prompt: \(atFar.correlation)")
    }
}
