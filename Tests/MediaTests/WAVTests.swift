import Media
import Testing

struct WAVTests {
    /// A WAV header for `data` with the given format fields.
    static func wav(tag: Int = 1, channels: Int = 1, rate: Int = 8000, bits: Int = 16, data: [UInt8], claimedDataSize: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16(v >> 16 & 0xFFFF) }
        let block = channels * bits / 8
        out += Array("RIFF".utf8); u32(36 + data.count); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(tag); u16(channels); u32(rate); u32(rate * block); u16(block); u16(bits)
        out += Array("data".utf8); u32(claimedDataSize ?? data.count)
        return out + data
    }

    @Test func writerOutputReadsBack() throws {
        let samples: [Int16] = [0, 1000, -1000, 32767, -32768]
        let back = try WAVAudio.parse(WAVWriter.bytes(channels: [samples], sampleRate: 8000), path: "x.wav")
        #expect(back == WAVAudio(samples: samples, sampleRate: 8000))
    }

    @Test func stereoIsMixedDownAndCompandedFormatsDecode() throws {
        let stereo = try WAVAudio.parse(WAVTests.wav(channels: 2, data: [0xE8, 0x03, 0xD0, 0x07]), path: "s.wav")   // 1000 and 2000
        #expect(stereo.samples == [1500])
        let mu = try WAVAudio.parse(WAVTests.wav(tag: 7, bits: 8, data: [0xFF, 0x80]), path: "u.wav")
        #expect(mu.samples == [0, 32124])
        let a = try WAVAudio.parse(WAVTests.wav(tag: 6, bits: 8, data: [0xD5]), path: "a.wav")
        #expect(a.samples == [8])
        let pcm8 = try WAVAudio.parse(WAVTests.wav(bits: 8, data: [128, 255]), path: "8.wav")
        #expect(pcm8.samples == [0, 127 << 8])
        #expect(try WAVAudio.parse(WAVTests.wav(rate: 44100, data: [0, 0]), path: "cd.wav").sampleRate == 44100)
    }

    @Test(arguments: [
        (WAVTests.wav(data: [0, 0], claimedDataSize: 4000), "claims 4000 bytes"),
        (WAVTests.wav(tag: 3, bits: 32, data: [0, 0, 0, 0]), "format tag 3"),
        (WAVTests.wav(channels: 3, data: [0, 0, 0, 0, 0, 0]), "3 channels"),
        (WAVTests.wav(rate: 96000, data: [0, 0]), "96000 Hz"),
        (WAVTests.wav(data: [0, 0, 0]), "not a whole number"),
        (WAVTests.wav(data: []), "no audio"),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEdata\u{0}\u{0}\u{0}\u{0}".utf8), "data chunk before fmt"),
        (Array("hello".utf8), "not a RIFF/WAVE file"),
    ] as [([UInt8], String)])
    func badFilesAreNamedWithTheirProblem(bytes: [UInt8], problem: String) {
        #expect {
            _ = try WAVAudio.parse(bytes, path: "prompt.wav")
        } throws: { error in
            let e = error as? WAVError
            return e?.path == "prompt.wav" && e?.problem.contains(problem) == true
        }
    }

    @Test func playerRepeatsThenReportsTheEnd() {
        let player = WAVPlayer(WAVAudio(samples: [Int16](repeating: 7, count: 200), sampleRate: 8000), repeatCount: 2)
        var frame = [Int16](repeating: 1, count: 160)
        var frames = 0
        while player.read(into: &frame) { frames += 1 }
        #expect(frames == 3, "400 samples fill two frames and part of a third")
        #expect(frame.allSatisfy { $0 == 0 }, "after the end, silence")
    }

    @Test func recorderPlacesAudioByPositionAndFillsGaps() {
        let r = AudioRecorder(limit: 10)
        [Int16](arrayLiteral: 1, 2).withUnsafeBufferPointer { r.write($0, at: 4) }
        [Int16](arrayLiteral: 9, 9, 9).withUnsafeBufferPointer { r.write($0, at: 9) }
        #expect(r.samples == [0, 0, 0, 0, 1, 2, 0, 0, 0, 9])
    }
}
