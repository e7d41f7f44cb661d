import Foundation
import Media
import NIOCore
import RTP
import SDP

/// The audio of `sipdial call`: one RTP stream bound before the INVITE (its port goes in
/// the offer), started toward whatever the answer negotiated, playing `--play` and
/// recording `--record`.
final class CallMedia: @unchecked Sendable {
    let stream: RTPAudioStream
    private let playback: WAVAudio?
    private let repeatCount: Int
    private let recordPath: String?
    private let recorder: AudioRecorder?
    private let rtpTimeout: Double

    /// Reads the WAV to play before anything is sent, so a bad file fails the command early.
    static func prepare(play: String?, say: SpeechRequest?, ttsCache: String?, repeatCount: Int, record: String?,
                        rtpTimeout: Double, host: String, group: EventLoopGroup) async throws -> CallMedia {
        var audio = try play.map(loadPlayback)
        if let say {
            audio = try SpeechSynthesizer(cacheDirectory: speechCache(ttsCache)).audio(for: say)
        }
        let stream = try await RTPAudioStream.bind(host: host, group: group)
        return CallMedia(stream: stream, playback: audio, repeatCount: repeatCount, recordPath: record, rtpTimeout: rtpTimeout)
    }

    /// `--tts-cache`, else `$XDG_CACHE_HOME/sipdial/tts`, else `~/.cache/sipdial/tts`.
    static func speechCache(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("sipdial/tts")
    }

    /// A file `--play` can use, at the engine's rate, or the reason it cannot.
    static func loadPlayback(_ path: String) throws(WAVError) -> WAVAudio {
        let audio = try WAVAudio.read(path: path)
        do {
            return try audio.resampled(to: AudioFormat.sampleRate)
        } catch {
            throw WAVError(path: path, problem: "cannot convert \(audio.sampleRate) Hz to \(AudioFormat.sampleRate) Hz: \(error)")
        }
    }

    private init(stream: RTPAudioStream, playback: WAVAudio?, repeatCount: Int, recordPath: String?, rtpTimeout: Double) {
        self.stream = stream
        self.playback = playback
        self.repeatCount = repeatCount
        self.recordPath = recordPath
        self.recorder = recordPath == nil ? nil : AudioRecorder()
        self.rtpTimeout = rtpTimeout
    }

    var localPort: Int { stream.localPort ?? 9 }
    var plays: Bool { playback != nil }

    /// Starts sending and receiving as negotiated. `onPlaybackFinished` runs once when the
    /// file has played `--repeat` times; `onTimeout` when no RTP arrives for `--rtp-timeout` s.
    func start(_ negotiated: NegotiatedAudio, onPlaybackFinished: @escaping @Sendable () -> Void,
               onTimeout: @escaping @Sendable () -> Void, onDigit: @escaping @Sendable (ReceivedDigit) -> Void) throws {
        let law: G711.Law
        switch negotiated.codec {
        case .pcmu: law = .muLaw
        case .pcma: law = .aLaw
        case .opus: throw UnsupportedCodec(codec: "opus")
        }
        let events = negotiated.telephoneEvent.flatMap { $0.clockRate == AudioFormat.sampleRate ? UInt8($0.payloadType) : nil }
        let parameters = RTPStreamParameters(remoteAddress: negotiated.remoteAddress, remotePort: negotiated.remotePort,
                                             payloadType: UInt8(negotiated.payloadType), law: law,
                                             telephoneEventPayloadType: events, timeout: rtpTimeout)
        stream.onTimeout = onTimeout
        stream.onDigit = onDigit
        try stream.start(parameters, source: playback.map { WAVPlayer($0, repeatCount: repeatCount) }, sink: recorder,
                         onSourceFinished: onPlaybackFinished)
    }

    /// Stops the stream, writes the recording, and returns the stream's figures and digits.
    func finish() async throws -> (RTPStreamStatistics, [ReceivedDigit]) {
        let stats = try await stream.stop()
        if let recordPath, let recorder {
            try WAVWriter.write(path: recordPath, channels: [recorder.samples], sampleRate: AudioFormat.sampleRate)
        }
        return stats
    }
}

/// The answer chose a codec the media engine cannot send yet.
struct UnsupportedCodec: Error, CustomStringConvertible {
    var codec: String
    var description: String { "the peer chose \(codec), which this build does not send yet: no audio" }
}
