/// Records two legs side by side for a two-channel WAV: what one party said on the left,
/// the other on the right (a bridged call's two far ends, or one call's sent and received
/// audio). Each channel's audio lands on one timeline that starts when the recorder is made:
/// a channel's first write is placed at the wall-clock time it arrived, later writes at the
/// positions their stream gives, so gaps and loss stay where they happened.
public final class StereoRecorder {
    public let left: Channel
    public let right: Channel
    public let sampleRate: Int

    /// `limit`: longest recording kept, in samples per channel (default one hour).
    public init(sampleRate: Int = AudioFormat.sampleRate, limit: Int? = nil) {
        let origin = ContinuousClock.now, limit = limit ?? 3600 * sampleRate
        self.sampleRate = sampleRate
        left = Channel(origin: origin, sampleRate: sampleRate, limit: limit)
        right = Channel(origin: origin, sampleRate: sampleRate, limit: limit)
    }

    /// Both channels, the shorter one padded with silence to the longer one's length.
    public var channels: [[Int16]] {
        let length = max(left.recorder.samples.count, right.recorder.samples.count)
        return [left, right].map { $0.recorder.samples + Array(repeating: 0, count: length - $0.recorder.samples.count) }
    }

    /// One side of the recording.
    public final class Channel: AudioSink {
        let recorder: AudioRecorder
        private let origin: ContinuousClock.Instant
        /// Where the stream's position 0 falls on the recorder's timeline, set at the first write.
        private var offset: Int?

        public var sampleRate: Int { recorder.sampleRate }

        init(origin: ContinuousClock.Instant, sampleRate: Int, limit: Int) {
            self.origin = origin
            self.recorder = AudioRecorder(sampleRate: sampleRate, limit: limit)
        }

        public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
            let offset = self.offset ?? {
                let elapsed = (ContinuousClock.now - origin).components
                let now = Int(elapsed.seconds) * sampleRate + Int(elapsed.attoseconds / (1_000_000_000_000_000_000 / Int64(sampleRate)))
                let first = max(0, now - position)
                self.offset = first
                return first
            }()
            recorder.write(samples, at: offset + position)
        }
    }
}

/// Passes a source's audio through and copies each frame to a sink (converted to the
/// sink's rate): how what a call sends reaches one channel of a `StereoRecorder`.
public final class RecordedSource: AudioSource {
    private let source: AudioSource
    private let sink: AudioSink
    private var position = 0

    public var sampleRate: Int { source.sampleRate }

    public init(_ source: AudioSource, into sink: AudioSink) {
        self.source = source
        self.sink = sink.adapted(from: source.sampleRate)
    }

    public func read(into frame: inout [Int16]) -> Bool {
        let more = source.read(into: &frame)
        frame.withUnsafeBufferPointer { sink.write($0, at: position) }
        position += frame.count
        return more
    }
}
