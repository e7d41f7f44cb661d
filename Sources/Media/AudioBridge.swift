/// Two calls' audio crossed (docs/ARCHITECTURE.md, house rules: the bridge port): what leg A receives is what leg B
/// sends and the other way round. Each leg's stream decodes into PCM and encodes with its
/// own codec, so legs with different codecs are transcoded on the way; the bridge carries
/// audio at `sampleRate` (16 kHz keeps two Opus legs wideband), and a leg at another rate is
/// converted where it meets the bridge.
/// Until `connect()` leg A hears `waiting` (ringback while leg B rings), then leg B.
///
/// Both legs' streams must run on the same media event loop (one clock ticks them both);
/// `connect()` is called there too. With `recording`, the left channel holds what party A
/// said and the right channel what party B said.
public final class AudioBridge: @unchecked Sendable {
    public let recording: StereoRecorder?
    public let sampleRate: Int
    /// Leg A's stream sends `legA.source` (`waiting`, then what B said) and writes what it
    /// receives into `legA.sink`; leg B the other way round.
    public let legA: (source: AudioSource, sink: AudioSink)
    public let legB: (source: AudioSource, sink: AudioSink)
    private let legASource: LegSource

    public init(sampleRate: Int = AudioFormat.sampleRate, waiting: AudioSource? = nil, recording: StereoRecorder? = nil) {
        let towardA = AudioPipe(sampleRate: sampleRate), towardB = AudioPipe(sampleRate: sampleRate)
        self.recording = recording
        self.sampleRate = sampleRate
        legASource = LegSource(waiting: waiting?.adapted(to: sampleRate), pipe: towardA)
        legA = (legASource, AudioSinkGroup([towardB] + (recording.map { [$0.left] } ?? []), sampleRate: sampleRate))
        legB = (towardB, AudioSinkGroup([towardA] + (recording.map { [$0.right] } ?? []), sampleRate: sampleRate))
    }

    /// Leg B answered: leg A stops hearing `waiting` and hears leg B.
    public func connect() { legASource.waiting = nil }

    private final class LegSource: AudioSource {
        var waiting: AudioSource?
        let pipe: AudioPipe
        var sampleRate: Int { pipe.sampleRate }

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
