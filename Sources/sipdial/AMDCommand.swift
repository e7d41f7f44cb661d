import ArgumentParser
import Foundation
import Media

/// `sipdial amd FILE.wav`: judges a recording of a call's answer with the analyser a live
/// call uses. Exit 0 with the verdict; 2 when the file cannot be read (naming the file and
/// the problem).
struct AMDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amd",
        abstract: "Tell who answered in a recording: human, machine, notsure, silence or fax.",
        discussion: """
        The recording is taken to start at the answer: 8 or 16 kHz mono WAV, 16-bit PCM, \
        µ-law or A-law (other rates are converted). Prints the verdict, its cause, when it \
        was reached, the beep (frequency, start, end) and the evidence.
        """
    )

    @Argument(help: "The WAV file.")
    var file: String

    @Flag(help: "Print one JSON object: verdict, cause, decision_ms, beep (or null), evidence.")
    var json = false

    func run() throws {
        let result: AMDResult
        do { result = try AnsweringMachineDetector.judge(try WAVAudio.read(path: file)) } catch {
            FileHandle.standardError.write(Data("sipdial amd: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let object = String(decoding: try encoder.encode(result), as: UTF8.self)
        if json {
            print(object)
            return
        }
        print("\(result.verdict.rawValue): \(result.cause) (decided \(result.decisionMs) ms after the answer)")
        if let beep = result.beep { print("beep: \(beep.frequencyHz) Hz from \(beep.startMs) to \(beep.endMs) ms") }
        print(object)
    }
}
