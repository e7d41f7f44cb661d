import ArgumentParser
import Foundation
import Media
import NIOCore
import NIOPosix
import SDP
import SIPSimulator
import SIPUserAgent

/// `sipdial simulate`: a SIP trunk to dial against. Each call from an allowed peer gets a
/// script (`CallScript`): by called number (`--behaviour`), else drawn from a weighted mix
/// (`--mix`), else answered after `--answer-after` seconds. Answered calls hear the greeting
/// and what the caller sends is recorded, one WAV per call.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a simulated SIP trunk: answer calls, play a greeting, record the caller."
    )

    @OptionGroup var endpoint: AnsweringEndpointOptions
    @Option(help: ArgumentHelp("What calls to NUMBER get: NUMBER=OUTCOME[,OPTION...] (repeatable).",
                               discussion: "Outcomes: answer, busy, no-answer, reject=CODE. Options: after=S (ring first), hangup=S (BYE after S s), dtmf=DIGITS (sent 1 s into the audio), early-media (183 with audio while ringing), greeting=NAME|FILE (played once instead of the default greeting; NAME is human or machine from the Audio directory, or a generated kind: human-short, human-double-hello, human-receptionist, machine-short, machine-long, machine-no-beep, silence, fax, sit; the recording's <Call-ID>.json says what was played), fax (answer as a fax machine over G.711; <Call-ID>.tif and .json in --record-dir). Example: --behaviour 1002=busy,after=2"))
    var behaviour: [String] = []
    @Option(help: "A weighted share of the calls without a --behaviour: WEIGHT:OUTCOME[,OPTION...] (repeatable), e.g. --mix 70:answer --mix 10:busy --mix 10:no-answer --mix 10:reject=503.")
    var mix: [String] = []
    /// The greeting: --play or --say.
    @OptionGroup var prompt: PromptOptions
    @Option(name: .customLong("repeat"), help: "Play the greeting this many times (0: for the whole call).")
    var repeatCount = 0
    @Option(help: "Record what each caller sends to DIR/<Call-ID>.wav (8 kHz mono), written when the call ends.")
    var recordDir: String?
    @Option(help: "Codec to accept, in order of preference: pcmu, pcma or opus (repeatable; default all three).")
    var codec: [AudioCodec] = []
    @Option(help: "SRTP for the audio (SDES keys): off (an SRTP offer gets 488), optional (SRTP offers answered with SRTP, plain ones plainly) or required. A test peer: its keys go over whatever transport the call came on.")
    var srtp: SRTPPolicy = .off
    /// The simulator's media ports, here and embedded in `serve`: apart from the dialer's
    /// (10000-20000) and from the ports tests pick for their peers (40000-59000).
    static let defaultRTPPorts = 20_000...30_000
    @Option(help: "RTP/RTCP port range LOW-HIGH.")
    var rtpPorts: ClosedRange<Int> = Self.defaultRTPPorts
    @Option(help: "End a call's audio when no RTP arrives for this many seconds (0: never).")
    var rtpTimeout: Double = 0
    @Option(help: "Where greeting=human and greeting=machine are found (greeting-human.wav, greeting-machine.wav; default ./Audio, else the Audio directory above the executable).")
    var audioDir: String?

    func validate() throws {
        _ = try scriptBook()
        guard repeatCount >= 0 else { throw ValidationError("--repeat must be 0 or more") }
        if let recordDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: recordDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--record-dir '\(recordDir)' is not a directory")
            }
        }
    }

    func run() async throws {
        let greeting = try prompt.load(command: "simulate")
        let greetings: [String: [AnsweringMedia.NamedGreeting]]
        do { greetings = try SimulatorGreetings.load(try scriptBook().greetings, audioDirectory: audioDir, option: "--behaviour/--mix") } catch {
            Console.error("simulate", "\(error)")
            throw ExitCode(2)
        }
        let logger = endpoint.logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var settings = AnsweringMedia.Settings(
            greeting: greeting, repeatCount: repeatCount, recordDirectory: recordDir.map { URL(fileURLWithPath: $0) },
            preferences: AudioPreferences(codecs: codec.isEmpty ? [.pcmu, .pcma, .opus] : codec, srtp: SDESKeys.generate(srtp)),
            ports: RTPPortAllocator(range: rtpPorts), rtpTimeout: rtpTimeout)
        settings.namedGreetings = greetings
        let media = AnsweringMedia(settings, group: group) { callID, recording in
            // One line per ended call: tests wait for it before reading the recording.
            switch recording {
            case .none: Console.say("ended \(callID)")
            case .written(let path), .fax(let path, _): Console.say("ended \(callID) recording \(path)")
            case .failed(let problem):
                Console.say("ended \(callID)")
                Console.error("simulate", problem)
            }
        }
        let (transport, uas) = try await endpoint.start(on: group.next(), media: media, scripts: try scriptBook(), logger: logger)
        await ServeCommand.waitForTermination()
        // What this side did, as one JSON line: what a load test's report is checked against.
        if let summary = try? await uas.summary(), let json = try? Self.summaryEncoder.encode(summary) {
            Console.say("summary " + String(decoding: json, as: UTF8.self))
        }
        logger.info("shutting down", metadata: ["calls_answered": "\(uas.answered)"])
        await transport.shutdown()
        try await group.shutdownGracefully()
    }

    private static var summaryEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    /// The scripts of `--behaviour` and `--mix`, the default answering after --answer-after.
    func scriptBook() throws -> CallScriptBook {
        try Self.scriptBook(behaviour: behaviour, mix: mix, fallback: CallScript(ringSeconds: endpoint.answerAfter))
    }

    /// Scripts by number (`NUMBER=OUTCOME[,OPTION...]`, `*` for every other number) and a
    /// weighted mix (`WEIGHT:OUTCOME[,OPTION...]`); a rule that cannot be read is a usage error.
    static func scriptBook(behaviour: [String], mix: [String], fallback: CallScript, option: String = "--mix") throws -> CallScriptBook {
        var book = CallScriptBook(fallback: fallback)
        for rule in behaviour {
            guard let equals = rule.firstIndex(of: "="), equals != rule.startIndex else {
                throw ValidationError("--behaviour '\(rule)' is not NUMBER=OUTCOME[,OPTION...]")
            }
            let number = String(rule[..<equals])
            do {
                let script = try CallScript(parsing: String(rule[rule.index(after: equals)...]))
                if number == "*" { book.fallback = script } else { book.byNumber[number] = script }
            } catch { throw ValidationError("--behaviour \(error)") }
        }
        for share in mix {
            guard let colon = share.firstIndex(of: ":"), let weight = Int(share[..<colon]), weight > 0 else {
                throw ValidationError("\(option) '\(share)' is not WEIGHT:OUTCOME[,OPTION...] with a positive weight")
            }
            do { book.mix.append((weight, try CallScript(parsing: String(share[share.index(after: colon)...])))) }
            catch { throw ValidationError("\(option) \(error)") }
        }
        return book
    }
}
