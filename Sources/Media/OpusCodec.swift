import COpus

public struct OpusError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var description: String { "opus: " + String(cString: opus_strerror(code)) }
}

/// Opus (RFC 6716) through libopus for mono 20 ms frames at 8, 12, 16, 24 or 48 kHz (the
/// audio bandwidth follows: narrowband at 8 kHz up to fullband at 48), while RTP always
/// counts 48 kHz (RFC 7587 §4.1). In-band FEC is on: each packet also carries a coarse copy
/// of the one before, from which the decoder rebuilds a lost packet when the next one has
/// arrived (`recover`); otherwise it extrapolates (`decode` of an empty packet).
public final class OpusEncoder {
    private let state: OpaquePointer

    /// `maxPlaybackRate`: the peer's `maxplaybackrate` (RFC 7587 §6.1); the encoder codes no
    /// audio above half of it (libopus's bandwidth just wide enough for it). `complexity` 5
    /// of 10 halves the encoder's time per frame against libopus's default. 32 kbit/s and 10 %
    /// expected loss are where libopus 1.3 puts the FEC copies in at 16 kHz (at 24 kbit/s and
    /// 5 % it adds none; docs/DECISIONS.md).
    public init(sampleRate: Int = AudioFormat.sampleRate, bitrate: Int = 32_000, expectedLossPercent: Int = 10,
                maxPlaybackRate: Int? = nil, complexity: Int = 5) throws(OpusError) {
        var error: Int32 = 0
        guard let s = opus_encoder_create(Int32(sampleRate), 1, OPUS_APPLICATION_VOIP, &error), error == OPUS_OK else {
            throw OpusError(code: error)
        }
        state = s
        _ = sipdial_opus_set_bitrate(s, Int32(bitrate))
        _ = sipdial_opus_set_fec(s, 1, Int32(expectedLossPercent))
        _ = sipdial_opus_set_complexity(s, Int32(complexity))
        if let maxPlaybackRate { _ = sipdial_opus_set_max_bandwidth(s, Self.bandwidth(forPlaybackRate: maxPlaybackRate)) }
    }

    /// The narrowest libopus bandwidth that holds what a receiver playing at `rate` renders:
    /// 4, 6, 8, 12 or 20 kHz of audio for 8, 12, 16, 24 or 48 kHz (RFC 6716 §2).
    static func bandwidth(forPlaybackRate rate: Int) -> Int32 {
        switch rate {
        case ..<12000: OPUS_BANDWIDTH_NARROWBAND
        case ..<16000: OPUS_BANDWIDTH_MEDIUMBAND
        case ..<24000: OPUS_BANDWIDTH_WIDEBAND
        case ..<48000: OPUS_BANDWIDTH_SUPERWIDEBAND
        default: OPUS_BANDWIDTH_FULLBAND
        }
    }

    deinit { opus_encoder_destroy(state) }

    /// Encodes one frame into `out`; returns the bytes written.
    public func encode(_ frame: UnsafeBufferPointer<Int16>, into out: UnsafeMutableRawBufferPointer) throws(OpusError) -> Int {
        let n = opus_encode(state, frame.baseAddress!, Int32(frame.count), out.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(out.count))
        guard n > 0 else { throw OpusError(code: n) }
        return Int(n)
    }
}

public final class OpusDecoder {
    private let state: OpaquePointer

    public let sampleRate: Int

    public init(sampleRate: Int = AudioFormat.sampleRate) throws(OpusError) {
        var error: Int32 = 0
        self.sampleRate = sampleRate
        guard let s = opus_decoder_create(Int32(sampleRate), 1, &error), error == OPUS_OK else { throw OpusError(code: error) }
        state = s
    }

    deinit { opus_decoder_destroy(state) }

    /// How long `packet` lasts in RTP units (48 kHz, RFC 7587 §4.1), from its TOC byte and
    /// frame count (RFC 6716 §3.1) without decoding it; nil for a packet that does not say.
    public static func rtpUnits(of packet: UnsafeRawBufferPointer) -> UInt32? {
        guard let base = packet.baseAddress, !packet.isEmpty else { return nil }
        let n = opus_packet_get_nb_samples(base.assumingMemoryBound(to: UInt8.self), Int32(packet.count), 48000)
        return n > 0 ? UInt32(n) : nil
    }

    /// Decodes a packet into `out`; returns the samples written (0 for a bad packet, which is
    /// dropped). An empty packet asks the decoder to conceal one lost 20 ms frame.
    public func decode(_ packet: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Int16>) -> Int {
        let data = packet.isEmpty ? nil : packet.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let frameSize = packet.isEmpty ? min(out.count, AudioFormat.frameSamples(at: sampleRate)) : out.count
        let n = opus_decode(state, data, Int32(packet.count), out.baseAddress!, Int32(frameSize), 0)
        return max(0, Int(n))
    }

    /// Rebuilds the `out.count` samples lost just before `next` from the copy `next` carries
    /// (RFC 6716 §2.1.7: SILK's LBRR frames); where `next` carries none, libopus conceals as
    /// for an empty packet. Returns the samples written. `out.count` must be a whole number
    /// of 2.5 ms.
    public func recover(from next: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Int16>) -> Int {
        guard let base = next.baseAddress, !next.isEmpty else { return decode(next, into: out) }
        let n = opus_decode(state, base.assumingMemoryBound(to: UInt8.self), Int32(next.count), out.baseAddress!, Int32(out.count), 1)
        return max(0, Int(n))
    }
}
