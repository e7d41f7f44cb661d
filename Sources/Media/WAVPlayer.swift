/// Plays audio `repeatCount` times (0 = until stopped) in 20 ms frames at the audio's rate.
public final class WAVPlayer: AudioSource {
    public let sampleRate: Int
    private let samples: [Int16]
    private let repeatCount: Int
    private var position = 0
    private var played = 0
    public private(set) var isFinished = false

    /// `audio` at a rate that is a multiple of 50 Hz (all the rates WAVAudio reads), so that
    /// 20 ms is a whole number of samples.
    public init(_ audio: WAVAudio, repeatCount: Int = 1) {
        precondition(audio.sampleRate % 50 == 0)
        self.sampleRate = audio.sampleRate
        self.samples = audio.samples
        self.repeatCount = repeatCount
    }

    public func stop() { isFinished = true }

    public func read(into frame: inout [Int16]) -> Bool {
        var filled = 0
        while filled < frame.count, !isFinished {
            let n = min(frame.count - filled, samples.count - position)
            frame.withUnsafeMutableBufferPointer { out in
                samples.withUnsafeBufferPointer { (out.baseAddress! + filled).update(from: $0.baseAddress! + position, count: n) }
            }
            filled += n
            position += n
            if position == samples.count {
                position = 0
                played += 1
                if repeatCount > 0, played >= repeatCount { isFinished = true }
            }
        }
        for i in filled..<frame.count { frame[i] = 0 }
        return filled > 0
    }
}

/// Keeps received audio in memory at the position it belongs, for a WAV written at the end.
public final class AudioRecorder: AudioSink {
    public private(set) var samples: [Int16] = []
    public let sampleRate: Int
    /// Longest recording kept, in samples (default one hour).
    public let limit: Int

    public init(sampleRate: Int = AudioFormat.sampleRate, limit: Int? = nil) {
        self.sampleRate = sampleRate
        self.limit = limit ?? 3600 * sampleRate
    }

    public func write(_ buffer: UnsafeBufferPointer<Int16>, at position: Int) {
        guard position >= 0, position < limit else { return }
        let end = min(position + buffer.count, limit)
        if samples.count < end { samples.append(contentsOf: repeatElement(0, count: end - samples.count)) }
        for i in position..<end { samples[i] = buffer[i - position] }
    }
}
