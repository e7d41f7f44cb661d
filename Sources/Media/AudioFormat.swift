/// The engine's audio: 16-bit linear PCM, mono, in 20 ms frames. G.711 streams and the
/// spandsp ports (tones, in-band DTMF, concealment) run at 8 kHz, one byte per sample on
/// the wire; Opus streams run at `RTPAudioEncoding.sampleRate` (16 kHz, wideband). A
/// source or sink at another rate than its stream is converted where it meets the stream
/// (`AudioSource.adapted(to:)`, `AudioSink.adapted(from:)`).
public enum AudioFormat {
    /// The narrowband rate: G.711's, and that of every port that does not say otherwise.
    public static let sampleRate = 8000
    /// Samples in one 20 ms frame at 8 kHz.
    public static let frameSamples = 160
    public static let frameDuration: Duration = .milliseconds(20)

    /// Samples in one 20 ms frame at `rate` (every rate the engine takes is a multiple of 50).
    public static func frameSamples(at rate: Int) -> Int { rate / 50 }
}

/// Something the media clock pulls audio from once per frame (docs/ARCHITECTURE.md, house rules: passive ports).
public protocol AudioSource: AnyObject {
    /// The rate of the frames this source fills (8 kHz unless it says otherwise).
    var sampleRate: Int { get }
    /// Fills `frame` (always one 20 ms frame at `sampleRate` long); false once the source is
    /// done, and the frame is then silence.
    func read(into frame: inout [Int16]) -> Bool
}

/// Something received audio is written to: a recorder, a detector, the other leg of a bridge.
public protocol AudioSink: AnyObject {
    /// The rate of the audio this sink takes (8 kHz unless it says otherwise).
    var sampleRate: Int { get }
    /// `samples` start at `position`, counted in samples since the stream began; a gap since
    /// the last write is missing audio.
    func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int)
}

extension AudioSource {
    public var sampleRate: Int { AudioFormat.sampleRate }
}

extension AudioSink {
    public var sampleRate: Int { AudioFormat.sampleRate }
}

/// Hands received audio to several sinks (a recorder and a DTMF detector, say), each
/// converted from the group's rate when it takes another.
public final class AudioSinkGroup: AudioSink {
    public let sinks: [AudioSink]
    public let sampleRate: Int

    public init(_ sinks: [AudioSink], sampleRate: Int = AudioFormat.sampleRate) {
        self.sampleRate = sampleRate
        self.sinks = sinks.map { $0.adapted(from: sampleRate) }
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        for sink in sinks { sink.write(samples, at: position) }
    }
}
