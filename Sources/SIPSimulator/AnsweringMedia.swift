import Fax
import Foundation
import Media
import NIOCore
import SDP
import SIPUserAgent
import Synchronization

/// The audio of the calls `sipdial simulate` answers: each call gets its own RTP stream,
/// plays the greeting (its script's named greeting once, else the default greeting), sends
/// its script's DTMF a second after the audio starts, and records what the caller sends to
/// `<record directory>/<Call-ID>.wav` when the call ends (the file appears whole: it is
/// written aside and renamed). A named greeting whose nature is known is described beside
/// it at the answer, in `<Call-ID>.json`: `{"greeting", "variant", "truth", "speech_end_ms",
/// "beep_end_ms"}`. A call scripted `fax` is answered by a fax terminal instead (G.711
/// only): what it received is `<Call-ID>.tif`, T.30's result `<Call-ID>.json` (`{"fax": …}`).
public final class AnsweringMedia: InboundMedia {
    /// A greeting a script can name: its audio and, when known, what it is.
    public struct NamedGreeting: Sendable {
        public var audio: WAVAudio
        /// Who answers in it: `human`, `machine`, `silence` or `fax`.
        public var truth: String?
        /// Where its speech and its beep end, ms from the answer.
        public var speechEndMs: Int?
        public var beepEndMs: Int?

        public init(audio: WAVAudio, truth: String? = nil, speechEndMs: Int? = nil, beepEndMs: Int? = nil) {
            (self.audio, self.truth, self.speechEndMs, self.beepEndMs) = (audio, truth, speechEndMs, beepEndMs)
        }
    }

    public struct Settings: Sendable {
        public var greeting: WAVAudio?
        /// Times the greeting plays (0: for the whole call).
        public var repeatCount: Int
        /// The greetings scripts name (`CallScript.greeting`), loaded, each with one or more
        /// variants played in turn; each plays once.
        public var namedGreetings: [String: [NamedGreeting]] = [:]
        public var recordDirectory: URL?
        public var preferences: AudioPreferences
        public var ports: RTPPortAllocator
        public var rtpTimeout: Double
        /// The fax machine of calls scripted `fax`: station ID, ECM.
        public var fax = FaxSettings()

        public init(greeting: WAVAudio?, repeatCount: Int, recordDirectory: URL?, preferences: AudioPreferences, ports: RTPPortAllocator, rtpTimeout: Double) {
            self.greeting = greeting
            self.repeatCount = repeatCount
            self.recordDirectory = recordDirectory
            self.preferences = preferences
            self.ports = ports
            self.rtpTimeout = rtpTimeout
        }
    }

    private let settings: Settings
    private let group: EventLoopGroup
    private let calls = Mutex<[String: Call]>([:])
    /// How many calls each named greeting has answered: the next one plays the next variant.
    private let greetingsPlayed = Mutex<[String: Int]>([:])
    /// Called with each ended call's Call-ID and recording path (nil when not recorded).
    private let onEnded: @Sendable (String, Recording) -> Void

    /// What became of an ended call's recording.
    public enum Recording: Sendable, Equatable {
        case none
        case written(String)
        case failed(String)
        /// A call answered as a fax machine: the TIFF it received into (present or not) and
        /// T.30's result.
        case fax(file: String, result: FaxResult?)
    }

    /// The recorder is written on the stream's event loop and read only after the stream stopped.
    private struct Call: @unchecked Sendable {
        var stream: RTPAudioStream
        var recorder: AudioRecorder?
        /// A call answered as a fax machine: its terminal and the file it receives into.
        var fax: (port: AudioFaxPort, file: String)?
        /// Once the fax moved to T.38 (`switchToT38`): the UDPTL port receiving it.
        var t38: T38FaxPort?
    }

    /// `onEnded` gets each ended call's Call-ID and what became of its recording.
    public init(_ settings: Settings, group: EventLoopGroup, onEnded: @escaping @Sendable (String, Recording) -> Void) {
        self.settings = settings
        self.group = group
        self.onEnded = onEnded
    }

    public func answer(offer: [UInt8], callID: String, script: CallScript, localAddress: String) async -> [UInt8]? {
        guard let theirs = try? SDPParser().parse(offer),
              let stream = try? RTPAudioStream.bind(host: localAddress, ports: settings.ports, group: group) else { return nil }
        var preferences = settings.preferences.withFreshKeys()
        // A fax modem does not survive Opus: a fax machine takes G.711 only.
        if script.fax { preferences.codecs = [.pcmu, .pcma] }
        var mine = AudioOffer(address: localAddress, port: stream.localPort, preferences: preferences)
        let recorder = settings.recordDirectory == nil ? nil : AudioRecorder()
        do {
            let (body, audio) = try mine.answer(theirs)
            if script.fax {
                let file = (settings.recordDirectory ?? FileManager.default.temporaryDirectory)
                    .appendingPathComponent(Self.fileName(for: callID)).deletingPathExtension().appendingPathExtension("tif").path
                let port = AudioFaxPort(AudioFaxTerminal(calling: false, role: .receive(into: file), settings: settings.fax)) { _ in }
                calls.withLock { $0[callID] = Call(stream: stream, fax: (port, file)) }
                try stream.start(audio.streamParameters(timeout: settings.rtpTimeout), source: port, sink: port)
                return body
            }
            let greeting = script.greeting.flatMap { namedGreeting($0, callID: callID) }.map { WAVPlayer($0, repeatCount: 1) }
                ?? settings.greeting.map { WAVPlayer($0, repeatCount: settings.repeatCount) }
            try stream.start(audio.streamParameters(timeout: settings.rtpTimeout), source: greeting, sink: recorder)
            calls.withLock { $0[callID] = Call(stream: stream, recorder: recorder) }
            if let digits = script.digits {
                // A second after the audio starts, as a person would press keys.
                stream.eventLoop.scheduleTask(in: .seconds(1)) { stream.sendDigits(digits) }
            }
            return body
        } catch {
            _ = try? await stream.stop()
            return nil
        }
    }

    /// Moves a fax call to T.38: binds a UDPTL port, answers the offer (T.38 Annex D), stops the
    /// audio terminal and its RTP stream, and receives over T.38 into the same file.
    public func switchToT38(offer: [UInt8], callID: String, localAddress: String) async -> [UInt8]? {
        guard let call = calls.withLock({ $0[callID] }), let (_, file) = call.fax, call.t38 == nil,
              let theirs = try? SDPParser().parse(offer),
              let port = try? T38FaxPort(host: localAddress, ports: settings.ports, group: group),
              let (answer, stream) = T38Negotiation.answer(theirs, host: localAddress, port: port.localPort) else { return nil }
        guard calls.withLock({ calls -> Bool in
            guard calls[callID] != nil else { return false }
            calls[callID]?.t38 = port
            return true
        }) else {
            _ = port.stop()
            return nil
        }
        call.stream.play(nil)
        call.stream.setSink(nil)
        _ = try? await call.stream.stop()
        do { try port.start(stream, calling: false, role: .receive(into: file), settings: settings.fax) { _ in } } catch { return nil }
        return answer.bytes
    }

    /// The next variant of the greeting `name`, described beside the call's recording.
    private func namedGreeting(_ name: String, callID: String) -> WAVAudio? {
        guard let variants = settings.namedGreetings[name], !variants.isEmpty else { return nil }
        let index = greetingsPlayed.withLock { played in
            defer { played[name, default: 0] += 1 }
            return played[name, default: 0] % variants.count
        }
        let chosen = variants[index]
        if let directory = settings.recordDirectory, let truth = chosen.truth {
            var description: [String: Any] = ["greeting": name, "variant": index, "truth": truth]
            description["speech_end_ms"] = chosen.speechEndMs
            description["beep_end_ms"] = chosen.beepEndMs
            let file = directory.appendingPathComponent(Self.fileName(for: callID)).deletingPathExtension().appendingPathExtension("json")
            try? JSONSerialization.data(withJSONObject: description, options: [.sortedKeys]).write(to: file, options: .atomic)
        }
        return chosen.audio
    }

    public func ended(callID: String) {
        guard let call = calls.withLock({ $0.removeValue(forKey: callID) }) else { return }
        let directory = settings.recordDirectory
        Task {
            _ = try? await call.stream.stop()
            var recording = Recording.none
            if let (port, file) = call.fax {
                // What the fax machine received, and T.30's result beside it (a call that
                // ended mid-fax: the code for a dropped call), from T.38 once it moved there.
                let result: FaxResult?
                if let t38 = call.t38 {
                    result = try? await t38.stop().get()
                } else {
                    port.terminal.callEnded()
                    result = port.terminal.result
                }
                if let directory {
                    try? Data("{\"fax\":".utf8 + (result?.json ?? Data("null".utf8)) + Data("}".utf8))
                        .write(to: directory.appendingPathComponent(Self.fileName(for: callID)).deletingPathExtension().appendingPathExtension("json"), options: .atomic)
                }
                recording = .fax(file: file, result: result)
            } else if let directory, let recorder = call.recorder {
                let file = directory.appendingPathComponent(Self.fileName(for: callID)).path
                do {
                    try WAVWriter.write(path: file, channels: [recorder.samples], sampleRate: AudioFormat.sampleRate)
                    recording = .written(file)
                } catch {
                    recording = .failed("cannot write \(file): \(error)")
                }
            }
            onEnded(callID, recording)
        }
    }

    /// A Call-ID made safe as a file name, with `.wav`.
    public static func fileName(for callID: String) -> String {
        FileName.safe(callID) + ".wav"
    }
}
