import CSpeexDSP

/// Sample-rate conversion of mono 16-bit audio through speexdsp's resampler, which owns a
/// C state freed in `deinit` (docs/ARCHITECTURE.md, house rules: C pointers never leave their wrapper).
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    private let state: OpaquePointer

    /// `quality` 0 (fastest) to 10 (best); 5 is speexdsp's VoIP default, 8 suits prompts
    /// converted once before calls.
    public init(from inputRate: Int, to outputRate: Int, quality: Int = 8) throws(ResamplerError) {
        var error: Int32 = 0
        guard let state = speex_resampler_init(1, UInt32(inputRate), UInt32(outputRate), Int32(quality), &error), error == 0 else {
            throw ResamplerError(reason: String(cString: speex_resampler_strerror(error)))
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.state = state
        speex_resampler_skip_zeros(state)
    }

    deinit { speex_resampler_destroy(state) }

    /// Converts as much of `input` as `output` has room for; returns the samples consumed and
    /// produced. The filter keeps its history between calls, so a stream converts in pieces.
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> (consumed: Int, produced: Int) {
        guard let source = input.baseAddress, let destination = output.baseAddress else { return (0, 0) }
        var inLength = UInt32(input.count)
        var outLength = UInt32(output.count)
        _ = speex_resampler_process_int(state, 0, source, &inLength, destination, &outLength)
        return (Int(inLength), Int(outLength))
    }

    /// Converts a whole recording: every input sample in, and the filter's tail flushed, so
    /// the output lasts as long as the input.
    public func convert(_ input: [Int16]) -> [Int16] {
        let expected = input.count * outputRate / inputRate
        var output = [Int16](repeating: 0, count: expected + 64)
        var produced = 0
        let tail = [Int16](repeating: 0, count: Int(speex_resampler_get_input_latency(state)) * 2)
        for chunk in [input, tail] {
            var consumed = 0
            while consumed < chunk.count, produced < output.count {
                let step = chunk.withUnsafeBufferPointer { src in
                    output.withUnsafeMutableBufferPointer { dst in
                        process(UnsafeBufferPointer(rebasing: src[consumed...]), into: UnsafeMutableBufferPointer(rebasing: dst[produced...]))
                    }
                }
                consumed += step.consumed
                produced += step.produced
                if step.consumed == 0 && step.produced == 0 { break }
            }
        }
        return Array(output.prefix(min(produced, expected)))
    }
}

public struct ResamplerError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "resampler: \(reason)" }
}

extension WAVAudio {
    /// This audio at `rate`, converted with speexdsp when the rates differ.
    public func resampled(to rate: Int) throws(ResamplerError) -> WAVAudio {
        guard rate != sampleRate else { return self }
        return WAVAudio(samples: try Resampler(from: sampleRate, to: rate).convert(samples), sampleRate: rate)
    }
}
