/// Where ports at one rate meet a stream at another (an 8 kHz prompt on a 16 kHz Opus call,
/// the 8 kHz DTMF detector behind it): speexdsp converts each frame as it passes, keeping
/// its filter's history from frame to frame.
extension AudioSource {
    /// This source with frames at `rate`: itself when it is at that rate already, else
    /// converted (a converted source is unwrapped first, so conversions never stack).
    public func adapted(to rate: Int) -> AudioSource {
        let base = (self as? ResampledSource)?.source ?? self
        return base.sampleRate == rate ? base : ResampledSource(base, to: rate)
    }
}

extension AudioSink {
    /// A sink that takes audio at `rate` and hands it to this one at its own rate.
    public func adapted(from rate: Int) -> AudioSink {
        let base = (self as? ResampledSink)?.sink ?? self
        return base.sampleRate == rate ? base : ResampledSink(base, from: rate)
    }
}

/// speexdsp's quality for conversions on a live stream: 4 of 10, enough for speech at a
/// fraction of the prompts' one-off quality 8 (`Resampler`).
private let streamQuality = 4

/// A resampler for two rates the engine produced itself (a stream's codec, a WAV already
/// validated), which speexdsp always accepts.
private func streamResampler(from input: Int, to output: Int) -> Resampler {
    do {
        return try Resampler(from: input, to: output, quality: streamQuality)
    } catch {
        preconditionFailure("speexdsp refused \(input) Hz to \(output) Hz: \(error)")
    }
}

/// A source's frames converted to another rate: each frame read from it is converted and
/// queued, and frames at the new rate are read off the queue.
public final class ResampledSource: AudioSource {
    public let source: AudioSource
    public let sampleRate: Int
    private let resampler: Resampler
    private var input: [Int16]
    /// Converted audio not read yet: `queue[queueStart..<queueEnd]`.
    private var queue: [Int16]
    private var queueStart = 0
    private var queueEnd = 0
    private var finished = false

    public init(_ source: AudioSource, to rate: Int) {
        self.source = source
        self.sampleRate = rate
        resampler = streamResampler(from: source.sampleRate, to: rate)
        input = Array(repeating: 0, count: AudioFormat.frameSamples(at: source.sampleRate))
        queue = Array(repeating: 0, count: 3 * AudioFormat.frameSamples(at: rate) + 64)
    }

    /// False once the source has said it is done and its converted audio has all been read.
    public func read(into frame: inout [Int16]) -> Bool {
        while queueEnd - queueStart < frame.count, !finished {
            if !source.read(into: &input) {
                finished = true
                break
            }
            if queueStart > 0 {
                queue.withUnsafeMutableBufferPointer { q in
                    q.baseAddress!.update(from: q.baseAddress! + queueStart, count: queueEnd - queueStart)
                }
                queueEnd -= queueStart
                queueStart = 0
            }
            let step = input.withUnsafeBufferPointer { i in
                queue.withUnsafeMutableBufferPointer { q in resampler.process(i, into: UnsafeMutableBufferPointer(rebasing: q[queueEnd...])) }
            }
            queueEnd += step.produced
        }
        let n = min(frame.count, queueEnd - queueStart)
        for i in 0..<n { frame[i] = queue[queueStart + i] }
        for i in n..<frame.count { frame[i] = 0 }
        queueStart += n
        return n > 0 || !finished
    }
}

/// A sink fed at one rate that writes into `sink` at the sink's own rate. Positions are
/// scaled between the rates; audio that follows on from the last write is placed right
/// after it, so rounding never opens gaps.
public final class ResampledSink: AudioSink {
    public let sink: AudioSink
    public let sampleRate: Int
    private let resampler: Resampler
    private var output: [Int16] = []
    /// Where the next write lands if it follows on (input rate), and where its audio goes (output rate).
    private var nextInput = 0
    private var nextOutput = 0

    public init(_ sink: AudioSink, from rate: Int) {
        self.sink = sink
        self.sampleRate = rate
        resampler = streamResampler(from: rate, to: sink.sampleRate)
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        let room = samples.count * sink.sampleRate / sampleRate + 64
        if output.count < room { output = Array(repeating: 0, count: room) }
        if position != nextInput { nextOutput = position * sink.sampleRate / sampleRate }
        let produced = output.withUnsafeMutableBufferPointer { resampler.process(samples, into: $0).produced }
        output.withUnsafeBufferPointer { sink.write(UnsafeBufferPointer(rebasing: $0[..<produced]), at: nextOutput) }
        nextOutput += produced
        nextInput = position + samples.count
    }
}
