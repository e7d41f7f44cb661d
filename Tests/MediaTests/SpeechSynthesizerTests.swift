import Foundation
import Media
import Testing

struct SpeechSynthesizerTests {
    @Test func rendersOnceThenServesTheCache() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-tts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tts = SpeechSynthesizer(cacheDirectory: dir)
        let request = SpeechRequest(text: "Your code is one two three four.")
        let first = try tts.audio(for: request)
        #expect(first.sampleRate == 8000)
        #expect(first.duration > 1 && first.duration < 6, "\(first.duration) s")
        let peak = first.samples.map { abs(Int($0)) }.max() ?? 0
        #expect(peak > 3000, "speech, not silence (peak \(peak))")
        let second = try tts.audio(for: request)
        #expect(tts.renderCount == 1, "the second request is served from the cache")
        #expect(second.samples.count == first.samples.count && second.samples.elementsEqual(first.samples), "the cached audio is the rendered audio")
        // A fresh synthesizer on the same directory finds the cached file too.
        let other = SpeechSynthesizer(cacheDirectory: dir)
        _ = try other.audio(for: request)
        #expect(other.renderCount == 0)
        _ = try other.audio(for: SpeechRequest(text: request.text, rate: 220))
        #expect(other.renderCount == 1, "another rate is another rendering")
    }

    @Test func badRequestsSayWhy() {
        let tts = SpeechSynthesizer(cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-tts-unused"))
        #expect(throws: SpeechError.self) { try tts.audio(for: SpeechRequest(text: "hello", voice: "xx-nowhere")) }
        #expect(throws: SpeechError.self) { try tts.audio(for: SpeechRequest(text: "   ")) }
    }

    @Test func cacheKeysDifferByEveryParameter() {
        let base = SpeechRequest(text: "hello")
        let variants = [SpeechRequest(text: "hello!"), SpeechRequest(text: "hello", voice: "de"), SpeechRequest(text: "hello", rate: 161),
                        SpeechRequest(text: "hello", pitch: 51), SpeechRequest(text: "hello", volume: 99)]
        #expect(Set(variants.map(\.cacheKey) + [base.cacheKey]).count == 6)
    }
}
