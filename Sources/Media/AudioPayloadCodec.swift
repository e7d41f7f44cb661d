/// The payload encodings an RTP audio stream can carry.
public enum RTPAudioEncoding: Sendable, Equatable {
    case pcmu, pcma, opus

    /// The RTP timestamp clock: 8 kHz for G.711, always 48 kHz for Opus (RFC 7587 §4.1).
    public var clockRate: Int { self == .opus ? 48000 : 8000 }

    /// The rate the stream's audio runs at: 8 kHz for G.711; 16 kHz for Opus, whose encoder
    /// then codes wideband speech (RFC 6716 §2: libopus picks NB to WB within it).
    public var sampleRate: Int { self == .opus ? 16000 : AudioFormat.sampleRate }

    /// Samples in one 20 ms frame of the stream's audio.
    public var frameSamples: Int { AudioFormat.frameSamples(at: sampleRate) }

    /// RTP timestamp units per sample of the stream's audio.
    public var timestampsPerSample: Int { clockRate / sampleRate }
}

/// Encodes the engine's frames into payloads and decodes payloads back, for one stream.
final class AudioPayloadCodec {
    let encoding: RTPAudioEncoding
    private let opusEncoder: OpusEncoder?
    private let opusDecoder: OpusDecoder?
    private let concealer: PacketLossConcealer?

    /// `maxPlaybackRate`: the Opus peer's `maxplaybackrate`, which caps what the encoder codes.
    init(_ encoding: RTPAudioEncoding, maxPlaybackRate: Int? = nil) throws {
        self.encoding = encoding
        opusEncoder = encoding == .opus ? try OpusEncoder(sampleRate: encoding.sampleRate, maxPlaybackRate: maxPlaybackRate) : nil
        opusDecoder = encoding == .opus ? try OpusDecoder(sampleRate: encoding.sampleRate) : nil
        concealer = encoding == .opus ? nil : PacketLossConcealer()
    }

    /// Room a payload may need (a 20 ms Opus frame at 32 kbit/s is about 80 bytes, FEC included).
    var maxPayloadBytes: Int { encoding == .opus ? 400 : encoding.frameSamples }

    /// Most samples one payload decodes to: 120 ms, Opus's longest packet (RFC 6716 §3.2.5),
    /// at the stream's rate.
    var maxDecodedSamples: Int { encoding.sampleRate * 120 / 1000 }

    /// Encodes a frame; returns the payload's length (0 if the encoder failed: nothing is sent).
    func encode(_ frame: UnsafeBufferPointer<Int16>, into out: UnsafeMutableRawBufferPointer) -> Int {
        switch encoding {
        case .pcmu, .pcma:
            G711.encode(frame, law: encoding == .pcmu ? .muLaw : .aLaw, into: out.bindMemory(to: UInt8.self))
            return frame.count
        case .opus:
            return (try? opusEncoder!.encode(frame, into: out)) ?? 0
        }
    }

    /// How long a payload lasts in RTP units: a G.711 byte is one 8 kHz sample, an Opus
    /// packet says in its header; nil when it cannot tell.
    func rtpUnits(of payload: UnsafeRawBufferPointer) -> UInt32? {
        switch encoding {
        case .pcmu, .pcma: payload.isEmpty ? nil : UInt32(payload.count)
        case .opus: OpusDecoder.rtpUnits(of: payload)
        }
    }

    /// Decodes a payload into `out`; returns the samples written.
    func decode(_ payload: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Int16>) -> Int {
        switch encoding {
        case .pcmu, .pcma:
            let n = min(payload.count, out.count)
            G711.decode(UnsafeRawBufferPointer(rebasing: payload[..<n]), law: encoding == .pcmu ? .muLaw : .aLaw, into: out)
            concealer?.received(UnsafeMutableBufferPointer(rebasing: out[..<n]))
            return n
        case .opus:
            return payload.isEmpty ? 0 : opusDecoder!.decode(payload, into: out)
        }
    }

    /// A substitute for `samples` of lost audio (at most a frame): with Opus, rebuilt from the
    /// FEC copy in `next` (the packet that follows the loss) when it has arrived, else Opus's
    /// own concealment (RFC 6716 §4.4, in whole 2.5 ms steps); spandsp's for G.711. Returns
    /// the samples written.
    func conceal(_ samples: Int, next: UnsafeRawBufferPointer? = nil, into out: UnsafeMutableBufferPointer<Int16>) -> Int {
        let step = encoding == .opus ? encoding.sampleRate / 400 : 1
        let n = min(out.count, encoding.frameSamples, samples) / step * step
        guard n > 0 else { return 0 }
        switch encoding {
        case .pcmu, .pcma:
            concealer?.conceal(UnsafeMutableBufferPointer(rebasing: out[..<n]))
            return n
        case .opus:
            let lost = UnsafeMutableBufferPointer(rebasing: out[..<n])
            if let next { return opusDecoder!.recover(from: next, into: lost) }
            return opusDecoder!.decode(UnsafeRawBufferPointer(start: nil, count: 0), into: lost)
        }
    }
}
