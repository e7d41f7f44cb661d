/// Two calls' audio crossed (DESIGN.md: the bridge port): what leg A receives is what leg B
/// sends and the other way round. Each leg's stream decodes into the engine's PCM and
/// encodes with its own codec, so legs with different codecs are transcoded on the way.
/// Until `connect()` leg A hears `waiting` (ringback while leg B rings), then leg B.
///
/// Both legs' streams must run on the same media event loop (one clock ticks them both);
/// `connect()` is called there too. With `recording`, the left channel holds what party A
/// said and the right channel what party B said.
public final class AudioBridge: @unchecked Sendable {
    private let towardB = AudioPipe()
    private let towardA = AudioPipe()
    public let recording: StereoRecorder?
    private let legASource: LegSource

    public init(waiting: AudioSource? = nil, recording: StereoRecorder? = nil) {
        self.recording = recording
        legASource = LegSource(waiting: waiting, pipe: towardA)
    }

    /// Leg A's stream sends this and writes what it receives into `legASink`.
    public var legA: (source: AudioSource, sink: AudioSink) {
        (legASource, AudioSinkGroup([towardB] + (recording.map { [$0.left] } ?? [])))
    }

    public var legB: (source: AudioSource, sink: AudioSink) {
        (towardB, AudioSinkGroup([towardA] + (recording.map { [$0.right] } ?? [])))
    }

    /// Leg B answered: leg A stops hearing `waiting` and hears leg B.
    public func connect() { legASource.waiting = nil }

    /// Samples dropped because one side's clock fell behind (should stay near zero).
    public var dropped: Int { towardA.dropped + towardB.dropped }

    private final class LegSource: AudioSource {
        var waiting: AudioSource?
        let pipe: AudioPipe

        init(waiting: AudioSource?, pipe: AudioPipe) {
            self.waiting = waiting
            self.pipe = pipe
        }

        func read(into frame: inout [Int16]) -> Bool {
            if let waiting {
                if !waiting.read(into: &frame) { self.waiting = nil }
                return true
            }
            return pipe.read(into: &frame)
        }
    }
}
