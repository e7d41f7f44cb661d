/// The engine's internal audio: 16-bit linear PCM, mono, 8 kHz, in 20 ms frames. G.711
/// maps to it one byte per sample; other rates are converted at the edges.
public enum AudioFormat {
    public static let sampleRate = 8000
    /// Samples in one 20 ms frame.
    public static let frameSamples = 160
    public static let frameDuration: Duration = .milliseconds(20)
}

/// Something the media clock pulls audio from once per frame (DESIGN.md: passive ports).
public protocol AudioSource: AnyObject {
    /// Fills `frame` (always `AudioFormat.frameSamples` long); false once the source is done,
    /// and the frame is then silence.
    func read(into frame: inout [Int16]) -> Bool
}

/// Something received audio is written to: a recorder, a detector, the other leg of a bridge.
public protocol AudioSink: AnyObject {
    /// `samples` start at `position`, counted in samples since the stream began; a gap since
    /// the last write is missing audio.
    func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int)
}

/// Hands received audio to several sinks (a recorder and a DTMF detector, say).
public final class AudioSinkGroup: AudioSink {
    public let sinks: [AudioSink]

    public init(_ sinks: [AudioSink]) { self.sinks = sinks }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        for sink in sinks { sink.write(samples, at: position) }
    }
}
