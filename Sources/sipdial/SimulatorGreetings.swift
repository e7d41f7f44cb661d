import ArgumentParser
import Foundation
import Greetings
import Media
import SIPSimulator

/// The greetings the simulator's scripts name, made once at start-up so that a missing file
/// stops the command before any socket opens: `greeting=human` and `greeting=machine` are
/// `greeting-human.wav` and `greeting-machine.wav` of the project's Audio directory
/// (`--audio-dir`, else `./Audio`, else the first `Audio` directory above the executable,
/// where a build from the source tree finds it); a kind of `GreetingVariants` (`human-short`,
/// `machine-long`, `sit` …) is rendered with espeak-ng in `variants` versions played in
/// turn; anything else is the path of a WAV file.
enum SimulatorGreetings {
    static let builtIn: Set<String> = ["human", "machine"]
    static let variants = 4

    /// Every greeting `names` holds, by name; `option` names the flag in errors.
    static func load(_ names: Set<String>, audioDirectory: String?, option: String) throws -> [String: [AnsweringMedia.NamedGreeting]] {
        var loaded: [String: [AnsweringMedia.NamedGreeting]] = [:]
        let renderer = GreetingRenderer(synthesizer: SpeechSynthesizer(cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-greetings")))
        for name in names.sorted() {
            if let rendered = try GreetingVariants.render(name, count: variants, renderer: renderer) {
                loaded[name] = rendered.map { AnsweringMedia.NamedGreeting(audio: $0.audio, truth: $0.truth, speechEndMs: $0.speechEndMs, beepEndMs: $0.beepEndMs) }
                continue
            }
            let path: String
            if builtIn.contains(name) {
                guard let directory = locate(audioDirectory, containing: "greeting-\(name).wav") else {
                    throw ValidationError("\(option): greeting=\(name) needs greeting-\(name).wav from sipdial's Audio directory, found neither in "
                        + (audioDirectory.map { "'\($0)'" } ?? "./Audio nor above the executable") + "; give --audio-dir")
                }
                path = directory.appendingPathComponent("greeting-\(name).wav").path
            } else {
                path = name
            }
            do {
                let audio = try PromptOptions.playback(path)
                loaded[name] = [AnsweringMedia.NamedGreeting(audio: audio, truth: builtIn.contains(name) ? name : nil)]
            } catch {
                throw ValidationError("\(option): greeting=\(name): \(error)")
            }
        }
        return loaded
    }

    /// The directory holding `file`: the one given, or ./Audio, or an `Audio` above the executable.
    private static func locate(_ given: String?, containing file: String) -> URL? {
        let fm = FileManager.default
        func holds(_ dir: URL) -> Bool { fm.fileExists(atPath: dir.appendingPathComponent(file).path) }
        if let given { return holds(URL(fileURLWithPath: given)) ? URL(fileURLWithPath: given) : nil }
        let here = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Audio")
        if holds(here) { return here }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Audio")
            if holds(candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
