import Foundation
import Media
import Testing

/// Opus against another implementation, wideband both ways: baresip answers and plays a
/// 48 kHz file (a 300-3,000 Hz chirp, then a 6 kHz tone); sipdial plays a 16 kHz file with
/// a 6 kHz tone. A 6 kHz tone cannot pass through 8 kHz audio, so hearing it on either side
/// shows the codec runs wideband. baresip's sndfile module keeps what it decoded. Measured:
/// sipdial hears the chirp at 0.99998 normalized cross-correlation and the tone with 0.9997
/// of its energy at 6 kHz; baresip decodes all of sipdial's packets (399-400) without an
/// error and hears the tone with 0.999 of its energy at 6 kHz.
@Suite(.serialized)
struct BaresipOpusTests {
    @Test func opusCallToBaresipCarriesWidebandAudioBothWays() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let farAudio = AudioMatch.chirp(seconds: 4, rate: 48_000) + AudioMatch.tone(hz: 6000, seconds: 4, rate: 48_000)
        let farFile = dir.appendingPathComponent("far48.wav").path
        try WAVWriter.write(path: farFile, channels: [farAudio, farAudio], sampleRate: 48_000)
        let ourFile = dir.appendingPathComponent("wide16.wav").path
        try WAVWriter.write(path: ourFile, channels: [AudioMatch.tone(hz: 6000, seconds: 5, rate: 16_000)], sampleRate: 16_000)
        let far = try await Baresip.start(playing: farFile, in: dir)
        defer { far.process.stop() }
        let recording = dir.appendingPathComponent("from-baresip.wav").path
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:far@127.0.0.1:\(far.port)", "--local-address", "127.0.0.1", "--codec", "opus",
             "--play", ourFile, "--hold", "3", "--record", recording, "--json"], timeout: .seconds(30))
        #expect(status == 0, "\(out)")
        let rtp = SipdialBinary.jsonObject(in: out)["rtp"] as? [String: Any] ?? [:]
        #expect((rtp["packets_received"] as? Int ?? 0) >= 300, "\(out)")

        // What baresip sent, decoded by sipdial at 16 kHz: the chirp, then the 6 kHz tone.
        let heard = try WAVAudio.read(path: recording)
        #expect(heard.sampleRate == 16_000)
        let narrow = try heard.resampled(to: 8000).samples
        let match = AudioMatch.locate(narrow[8000..<12_000], in: AudioMatch.chirp(seconds: 4), near: 8000, within: 2400)
        #expect(match.correlation >= 0.9, "sipdial hears baresip's chirp: \(match.correlation) at \(match.offset)")
        // baresip's tone runs from its 4 s to 8 s; the chirp's offset places it on our timeline.
        let toneStart = 16_000 * 4 + 2 * (8000 - match.offset) + 8000
        #expect(heard.samples.count >= toneStart + 32_000, "\(heard.samples.count) samples")
        if heard.samples.count >= toneStart + 32_000 {
            let share = FrequencyShare.of(6000, in: heard.samples[toneStart..<(toneStart + 32_000)], sampleRate: 16_000)
            #expect(share > 0.7, "sipdial hears baresip's 6 kHz tone: share \(share)")
        }

        // What sipdial sent, baresip decoded without an error, 6 kHz tone included.
        let received = await far.received()
        #expect((received?.packets ?? 0) >= 300 && received?.errors == 0, "\(String(describing: received)) \(far.process.text.suffix(600))")
        let decoded = try #require(try far.decoded(), "baresip's sndfile dump")
        let steady = decoded.samples[(decoded.sampleRate * 3 / 2)..<(decoded.sampleRate * 4)]
        let share = FrequencyShare.of(6000, in: steady, sampleRate: decoded.sampleRate)
        #expect(share > 0.7, "baresip hears sipdial's 6 kHz tone at \(decoded.sampleRate) Hz: share \(share)")
    }
}
