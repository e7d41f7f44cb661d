import Foundation
import Media
import Testing

/// `sipdial amd FILE.wav`: the verdict of a recording, as JSON, through the analyser a live
/// call uses; files it cannot read exit 2 naming the file.
struct AMDCommandTests {
    /// A directory of the test's own, removed with it.
    final class Scratch {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-amd-\(UUID().uuidString)")
        lazy var synthesizer = SpeechSynthesizer(cacheDirectory: directory.appendingPathComponent("tts"))
        init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    static func tone(_ frequency: Double, ms: Int, rate: Int) -> [Int16] {
        (0..<(ms * rate / 1000)).map { Int16(4000 * sin(2 * .pi * frequency * Double($0) / Double(rate))) }
    }

    /// A µ-law WAV (format 7) of `samples` at 8 kHz.
    static func muLawFile(_ samples: [Int16]) -> Data {
        var out = Data()
        func u16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)) }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16(v >> 16 & 0xFFFF) }
        out += Data("RIFF".utf8); u32(38 + samples.count); out += Data("WAVE".utf8)
        out += Data("fmt ".utf8); u32(18); u16(7); u16(1); u32(8000); u32(8000); u16(1); u16(8); u16(0)
        out += Data("data".utf8); u32(samples.count)
        out += Data(samples.map(G711.muLaw(fromLinear:)))
        return out
    }

    @Test func aMachineGreetingWithABeepAt16kHz() async throws {
        let scratch = try Scratch()
        let greeting = try scratch.synthesizer.audio(for: SpeechRequest(text: "Hello, you have reached the office of Doctor Adams. Nobody is available to take your call. Please leave a message after the tone."), sampleRate: 16000)
        let silence = [Int16](repeating: 0, count: 16000 / 2)
        let beepStartMs = (silence.count + greeting.samples.count + silence.count) / 16
        let samples = silence + greeting.samples + silence + Self.tone(1000, ms: 400, rate: 16000) + silence + silence
        let file = scratch.directory.appendingPathComponent("machine.wav").path
        try WAVWriter.write(path: file, channels: [samples], sampleRate: 16000)
        let (status, out) = try await SipdialBinary.run(["amd", file, "--json"])
        #expect(status == 0, "\(out)")
        let object = SipdialBinary.jsonObject(in: out)
        #expect(object["verdict"] as? String == "machine", "\(out)")
        let beep = try #require(object["beep"] as? [String: Any], "\(out)")
        #expect(abs((beep["frequency_hz"] as? Int ?? 0) - 1000) <= 15 && abs((beep["start_ms"] as? Int ?? 0) - beepStartMs) <= 60, "\(beep)")
        #expect((object["decision_ms"] as? Int ?? 0) > 0 && object["evidence"] is [String: Any] && !(object["cause"] as? String ?? "").isEmpty)
    }

    @Test func aPersonInAMuLawFile() async throws {
        let scratch = try Scratch()
        let hello = try scratch.synthesizer.audio(for: SpeechRequest(text: "Hello?"), sampleRate: 8000)
        let samples = [Int16](repeating: 0, count: 3200) + hello.samples + [Int16](repeating: 0, count: 24000)
        let file = scratch.directory.appendingPathComponent("human.wav")
        try Self.muLawFile(samples).write(to: file)
        let (status, out) = try await SipdialBinary.run(["amd", file.path, "--json"])
        #expect(status == 0, "\(out)")
        let object = SipdialBinary.jsonObject(in: out)
        #expect(object["verdict"] as? String == "human", "\(out)")
        #expect(object.keys.contains("beep") && object["beep"] is NSNull, "beep is null when there is none: \(out)")
    }

    @Test func aFileItCannotReadExits2NamingIt() async throws {
        let scratch = try Scratch()
        let notWAV = scratch.directory.appendingPathComponent("notes.wav")
        try Data("these are not samples".utf8).write(to: notWAV)
        let (status, out) = try await SipdialBinary.run(["amd", notWAV.path, "--json"])
        #expect(status == 2 && out.contains(notWAV.path), "\(out)")
        let missing = scratch.directory.appendingPathComponent("missing.wav").path
        let (missingStatus, missingOut) = try await SipdialBinary.run(["amd", missing])
        #expect(missingStatus == 2 && missingOut.contains(missing), "\(missingOut)")
    }
}
