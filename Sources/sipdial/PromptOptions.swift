import ArgumentParser
import Foundation
import Media

/// What a call hears once answered, for the commands that play something (`call`,
/// `simulate`): a WAV file or a text spoken by espeak-ng.
struct PromptOptions: ParsableArguments {
    @Option(help: "Play this WAV file (PCM, µ-law or A-law, 8-48 kHz) once a call is answered.")
    var play: String?
    @Option(help: "Say this text (espeak-ng) once a call is answered, like --play; the audio is cached by text and voice.")
    var say: String?
    @Option(help: "espeak-ng voice for --say (en-us, en-gb, de, es, fr, ...).")
    var voice = "en-us"
    @Option(help: "Where --say keeps rendered audio (default $XDG_CACHE_HOME/sipdial/tts or ~/.cache/sipdial/tts).")
    var ttsCache: String?

    var isSet: Bool { play != nil || say != nil }

    func validate() throws {
        if play != nil, say != nil { throw ValidationError("--play and --say cannot be combined") }
        if let say { guard !say.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--say needs some text") } }
    }

    /// The audio at `sampleRate` (the preferred codec's: 16 kHz for Opus, else 8 kHz): the
    /// file, or the text rendered (or found in the cache). Read once, before any socket: a
    /// file or voice that cannot be used stops `command` with exit 2, naming the file or the
    /// problem. A call that negotiates another codec converts the audio as it plays.
    func load(command: String, sampleRate: Int = AudioFormat.sampleRate) throws -> WAVAudio? {
        do {
            if let play { return try Self.playback(play, sampleRate: sampleRate) }
            if let say { return try SpeechSynthesizer(cacheDirectory: speechCache).audio(for: SpeechRequest(text: say, voice: voice), sampleRate: sampleRate) }
            return nil
        } catch {
            Console.error(command, "\(error)")
            throw ExitCode(2)
        }
    }

    /// `--tts-cache`, else `$XDG_CACHE_HOME/sipdial/tts`, else `~/.cache/sipdial/tts`.
    private var speechCache: URL {
        if let ttsCache { return URL(fileURLWithPath: ttsCache) }
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("sipdial/tts")
    }

    /// A file `--play` can use, at `sampleRate`, or the reason it cannot.
    static func playback(_ path: String, sampleRate: Int = AudioFormat.sampleRate) throws(WAVError) -> WAVAudio {
        let audio = try WAVAudio.read(path: path)
        do {
            return try audio.resampled(to: sampleRate)
        } catch {
            throw WAVError(path: path, problem: "cannot convert \(audio.sampleRate) Hz to \(sampleRate) Hz: \(error)")
        }
    }
}
