/// One direction of a bridge: audio received on one call is written in, and the clock
/// reads it out as the other call's source on its next tick (docs/ARCHITECTURE.md, house rules: ports are passive).
/// Both calls' streams must tick on the same media event loop; the pipe is not locked.
///
/// It holds at most `frames` frames: when the writer runs ahead (the reader's call is
/// still ringing, or its clock stalled) the oldest audio is dropped, so the bridge never
/// builds up delay. When it runs dry the reader gets silence.
public final class AudioPipe: AudioSink, AudioSource {
    public let sampleRate: Int
    private var ring: [Int16]
    private var head = 0
    public private(set) var count = 0
    /// Samples thrown away because the reader was behind.
    public private(set) var dropped = 0

    /// `frames`: how many 20 ms frames the pipe holds before it drops the oldest.
    public init(sampleRate: Int = AudioFormat.sampleRate, frames: Int = 3) {
        self.sampleRate = sampleRate
        ring = Array(repeating: 0, count: max(1, frames) * AudioFormat.frameSamples(at: sampleRate))
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        for sample in samples {
            if count == ring.count {
                head = (head + 1) % ring.count
                count -= 1
                dropped += 1
            }
            ring[(head + count) % ring.count] = sample
            count += 1
        }
    }

    /// Always true: a bridge direction lasts as long as the call.
    public func read(into frame: inout [Int16]) -> Bool {
        let n = min(frame.count, count)
        for i in 0..<n { frame[i] = ring[(head + i) % ring.count] }
        for i in n..<frame.count { frame[i] = 0 }
        head = (head + n) % ring.count
        count -= n
        return true
    }
}
