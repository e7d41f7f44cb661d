// libFuzzer target for the WAV reader that loads prompts and recordings
// (Sources/Media/WAVFile.swift with the G.711 tables it decodes with), built by
// `FUZZ_TARGET=wav Fuzz/run.sh`.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - reading never crashes, overflows or hangs, whatever the chunk sizes, formats and counts
//   claim; a file it refuses is a `WAVError` naming the problem;
// - what it reads, written back as 16-bit PCM at its rate, reads back sample for sample.

@_cdecl("LLVMFuzzerTestOneInput")
public func wavFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let audio = try? WAVAudio.parse(bytes, path: "fuzz.wav") else { return 0 }
    let written = WAVWriter.bytes(channels: [audio.samples], sampleRate: audio.sampleRate)
    let again = try? WAVAudio.parse(written, path: "written.wav")
    precondition(again == audio, "a file read and written back as PCM reads back differently")
    return 0
}
