import Foundation
import NIOCore
import RTP
import SDP
import Synchronization

/// The audio of one outbound call (`sipdial call`, the dialer's calls): one RTP stream bound
/// before the INVITE (its port goes in the offer), started toward whatever the answer
/// negotiated, playing prompts and recording what the far end sends.
public final class CallMedia: @unchecked Sendable {
    public let stream: RTPAudioStream
    private let playback: WAVAudio?
    private let repeatCount: Int
    private let recordPath: String?
    private let recordBoth: Bool
    /// `--record`: what the far end sent (mono), or with `--record-both` both directions;
    /// made at `start`, at the rate of the codec negotiated then.
    private var recorder: AudioRecorder?
    private var stereo: StereoRecorder?
    /// The rate of the call's audio, set at `start` from the negotiated codec.
    private var sampleRate = AudioFormat.sampleRate
    private let rtpTimeout: Double
    private let dtmfMode: DTMFMode
    /// A recording started mid-call (`startRecording`): both directions, and its file.
    private let midCall = Mutex<MidCallRecording?>(nil)
    /// What received audio goes to besides a bridge: the recorders and the in-band detector.
    private var sinks: [AudioSink] = []
    /// The answering-machine detector started last.
    private var amdListener: AMDListener?
    /// Whether DTMF goes as tones in the audio for this call (decided at answer).
    private var usesInband = false
    /// Digits the in-band detector heard (appended on the stream's event loop).
    private var inbandDigits: [ReceivedDigit] = []

    /// Binds the call's RTP/RTCP ports; `playback` is what `PromptOptions.load` returned.
    /// `recordBoth`: record both directions as two channels (sent left, received right).
    public static func prepare(playback: WAVAudio?, repeatCount: Int, record: String?, recordBoth: Bool, rtpTimeout: Double, dtmfMode: DTMFMode,
                        rtpPorts: RTPPortAllocator, host: String, group: EventLoopGroup) throws -> CallMedia {
        let stream = try RTPAudioStream.bind(host: host, ports: rtpPorts, group: group)
        return CallMedia(stream: stream, playback: playback, repeatCount: repeatCount, recordPath: record, recordBoth: recordBoth,
                         rtpTimeout: rtpTimeout, dtmfMode: dtmfMode)
    }

    private init(stream: RTPAudioStream, playback: WAVAudio?, repeatCount: Int, recordPath: String?, recordBoth: Bool, rtpTimeout: Double, dtmfMode: DTMFMode) {
        self.dtmfMode = dtmfMode
        self.stream = stream
        self.playback = playback
        self.repeatCount = repeatCount
        self.recordPath = recordPath
        self.recordBoth = recordBoth
        self.rtpTimeout = rtpTimeout
    }

    public var localPort: Int { stream.localPort }
    public var plays: Bool { playback != nil }

    /// Whether the stream runs (from early media or the answer).
    public private(set) var started = false

    /// Starts receiving (and sending silence) as negotiated: at a 183 with SDP, or at the
    /// answer. `onTimeout` runs when no RTP arrives for `--rtp-timeout` s. Once only.
    public func start(_ negotiated: NegotiatedAudio, onTimeout: @escaping @Sendable () -> Void, onDigit: @escaping @Sendable (ReceivedDigit) -> Void) throws {
        guard !started else { return try update(negotiated) }
        started = true
        sampleRate = negotiated.encoding.sampleRate
        recorder = recordPath == nil || recordBoth ? nil : AudioRecorder(sampleRate: sampleRate)
        stereo = recordPath != nil && recordBoth ? StereoRecorder(sampleRate: sampleRate) : nil
        let events = negotiated.eventPayloadType
        usesInband = dtmfMode == .inband || (dtmfMode == .auto && events == nil)
        let parameters = negotiated.streamParameters(timeout: rtpTimeout, telephoneEvents: !usesInband)
        stream.onTimeout = onTimeout
        stream.onDigit = onDigit
        var sinks: [AudioSink] = (recorder.map { [$0] } ?? []) + (stereo.map { [$0.right] } ?? [])
        if usesInband {
            let detector = InbandDTMFDetector()
            let started = ContinuousClock.now
            detector.onDigit = { [weak self] digit in
                let elapsed = (ContinuousClock.now - started).components
                let received = ReceivedDigit(digit: digit, at: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, durationMilliseconds: nil)
                self?.inbandDigits.append(received)
                onDigit(received)
            }
            sinks.append(detector)
        }
        self.sinks = sinks
        let silence: AudioSource? = stereo.map { RecordedSource(Silence(sampleRate: sampleRate), into: $0.left) }
        try stream.start(parameters, source: silence, sink: sinks.isEmpty ? nil : AudioSinkGroup(sinks, sampleRate: sampleRate))
    }

    /// Crosses this call's audio with `other`'s (an attended transfer's second call, started
    /// here with `parameters`): from now on this call hears `other`'s far end and the other
    /// way round, in place of any prompt; recordings and the DTMF detector keep listening.
    /// `other` must run on this stream's event loop. The bridge runs at the higher of the two
    /// calls' rates, so two wideband calls stay wideband.
    public func bridge(with other: RTPAudioStream, _ parameters: RTPStreamParameters) throws {
        let bridge = AudioBridge(sampleRate: max(sampleRate, parameters.encoding.sampleRate))
        try other.start(parameters, source: bridge.legB.source, sink: bridge.legB.sink)
        stream.play(sending(bridge.legA.source))
        stream.setSink(AudioSinkGroup(sinks + [bridge.legA.sink], sampleRate: sampleRate))
    }

    /// The call was answered: plays the prompt given to `prepare` (`onPlaybackFinished` runs
    /// once when it has played `repeatCount` times).
    public func playPrompt(onPlaybackFinished: @escaping @Sendable () -> Void) {
        guard let playback else { return }
        play(playback, repeatCount: repeatCount, onFinished: onPlaybackFinished)
    }

    /// Plays `audio` `repeatCount` times (0: until replaced), replacing what was playing;
    /// what is sent is recorded too when recording both directions.
    public func play(_ audio: WAVAudio, repeatCount: Int, onFinished: @escaping @Sendable () -> Void) {
        stream.play(sending(WAVPlayer(audio, repeatCount: repeatCount)), onFinished: onFinished)
    }

    /// Plays `tone` (its cadence repeating) until something else plays.
    public func play(_ tone: Tone) {
        stream.play(sending(ToneGenerator(tone)))
    }

    /// `source` as the stream sends it: copied into the left channel when recording both directions.
    private func sending(_ source: AudioSource) -> AudioSource {
        stereo.map { RecordedSource(source, into: $0.left) } ?? source
    }

    /// Stops what is playing (a prompt the far end interrupted with a digit); silence follows.
    public func stopPlaying() {
        stream.play(stereo.map { RecordedSource(Silence(sampleRate: sampleRate), into: $0.left) })
    }

    /// Follows a re-INVITE's renegotiation: new address or codec, hold (stop sending) or resume.
    public func update(_ negotiated: NegotiatedAudio) throws {
        try stream.update(negotiated.streamParameters(timeout: rtpTimeout, telephoneEvents: !usesInband))
    }

    /// Sends DTMF the way `--dtmf-mode` and the answer decided: RFC 4733 events or tones.
    public func send(digits: String) {
        if usesInband { stream.sendInbandDigits(digits) } else { stream.sendDigits(digits) }
    }

    /// Starts answering-machine detection on what the far end sends from now on (the call's
    /// answer); `onEvent` hears the verdict, a revision, the beep's end, the greeting's end, on
    /// the stream's event loop. With `keepSeconds`, the first seconds it hears are kept
    /// (`amdHeard`). Call from the call's owner; false when the audio has not started.
    public func startAMD(_ settings: AMDSettings, keepSeconds: Double = 0, onEvent: @escaping @Sendable (AMDEvent) -> Void) -> Bool {
        guard started else { return false }
        let listener = AMDListener(settings: settings, keepSeconds: keepSeconds, onEvent: onEvent)
        amdListener = listener
        sinks.append(listener)
        stream.setSink(AudioSinkGroup(sinks, sampleRate: sampleRate))
        return true
    }

    /// What the latest detector heard of its first `keepSeconds` (8 kHz), once the stream has
    /// stopped (`finish`); nil when nothing was kept.
    public var amdHeard: [Int16]? {
        guard let heard = amdListener?.heard, !heard.isEmpty else { return nil }
        return heard
    }

    /// Stops the answering-machine detection `startAMD` began (early media's, at the answer).
    public func stopAMD() {
        amdListener = nil
        sinks.removeAll { $0 is AMDListener }
        stream.setSink(sinks.isEmpty ? nil : AudioSinkGroup(sinks, sampleRate: sampleRate))
    }

    /// Starts recording both directions from now on (sent left, received right) into a
    /// two-channel WAV at `path`, written by `stopRecording` or at the end of the call.
    public func startRecording(to path: String) async throws {
        let recorder = StereoRecorder(sampleRate: sampleRate)
        let started = started
        try midCall.withLock { (midCall) throws(MidCallRecordingError) in
            guard started else { throw .notStarted }
            guard midCall == nil else { throw .alreadyRecording }
            midCall = MidCallRecording(recorder: recorder, path: path)
        }
        try await stream.setMonitors(sent: recorder.left, received: recorder.right)
    }

    /// Stops the recording `startRecording` began and writes its file; returns its path.
    public func stopRecording() async throws -> String {
        guard let recording = midCall.withLock({ $0.take() }) else { throw MidCallRecordingError.notRecording }
        try await stream.setMonitors(sent: nil, received: nil)
        try recording.write()
        return recording.path
    }

    /// Stops the stream, writes the recordings, and returns the stream's figures and digits.
    public func finish() async throws -> (RTPStreamStatistics, [ReceivedDigit]) {
        let (stats, events) = try await stream.stop()
        if let recordPath, let channels = recorder.map({ [$0.samples] }) ?? stereo?.channels {
            try WAVWriter.write(path: recordPath, channels: channels, sampleRate: sampleRate)
        }
        try midCall.withLock({ $0.take() })?.write()
        return (stats, usesInband ? inbandDigits : events)
    }
}

/// A recording started mid-call. The recorder is written by the stream on its media loop and
/// read only after the stream let go of it (monitors removed, or the stream stopped), which is
/// what makes handing it between threads safe.
private struct MidCallRecording: @unchecked Sendable {
    let recorder: StereoRecorder
    let path: String

    func write() throws {
        try WAVWriter.write(path: path, channels: recorder.channels, sampleRate: recorder.sampleRate)
    }
}

/// Why a recording cannot be started or stopped mid-call.
public enum MidCallRecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call's audio has not started (the call is not answered yet).
    case notStarted
    case alreadyRecording
    case notRecording

    public var description: String {
        switch self {
        case .notStarted: "the call's audio has not started"
        case .alreadyRecording: "the call is being recorded already"
        case .notRecording: "the call is not being recorded"
        }
    }
}

/// How DTMF travels: `auto` uses RFC 4733 telephone-events when the answer accepted them and
/// tones in the audio otherwise.
public enum DTMFMode: String, CaseIterable, Sendable {
    case auto, rfc4733, inband
}


