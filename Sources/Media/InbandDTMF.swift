import CSpanDSP

/// In-band DTMF detection with spandsp's receiver (ITU-T Q.24 timing and level checks): an
/// audio sink that turns tones in the received audio into digits.
public final class InbandDTMFDetector: AudioSink {
    private let state: OpaquePointer
    private let collector = DigitCollector()
    /// Called for each digit as it is detected.
    public var onDigit: ((Character) -> Void)? {
        get { collector.onDigit }
        set { collector.onDigit = newValue }
    }

    public var digits: [Character] { collector.digits }

    /// `twist`: how far (dB) the high-group tone may be above the low one; `reverseTwist`:
    /// the other way round; `threshold`: the weakest tone accepted, in dBm0.
    public init(twist: Int = 8, reverseTwist: Int = 8, threshold: Int = -30) {
        state = dtmf_rx_init(nil, { userData, digits, count in
            guard let userData, let digits else { return }
            let collector = Unmanaged<DigitCollector>.fromOpaque(userData).takeUnretainedValue()
            for i in 0..<Int(count) { collector.add(Character(Unicode.Scalar(UInt8(bitPattern: digits[i])))) }
        }, Unmanaged.passUnretained(collector).toOpaque())
        dtmf_rx_parms(state, 0, Int32(twist), Int32(reverseTwist), Int32(threshold))
    }

    deinit { dtmf_rx_free(state) }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        _ = dtmf_rx(state, base, Int32(samples.count))
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        process(samples)
    }
}

/// Holds what the C callback reports; lives as long as its detector.
private final class DigitCollector {
    var digits: [Character] = []
    var onDigit: ((Character) -> Void)?

    func add(_ digit: Character) {
        digits.append(digit)
        onDigit?(digit)
    }
}

/// In-band DTMF tones from spandsp's generator, as an audio source of 20 ms frames.
public final class DTMFToneGenerator: AudioSource {
    private let state: OpaquePointer

    /// `level` in dBm0 and `twist`, the level difference of the two tones in dB, as
    /// spandsp's `dtmf_tx_set_level` takes them. Tones last `onMilliseconds` with `offMilliseconds` between them.
    public init(digits: String, level: Int = -10, twist: Int = 0, onMilliseconds: Int = 100, offMilliseconds: Int = 100) {
        state = dtmf_tx_init(nil)
        dtmf_tx_set_level(state, Int32(level), Int32(twist))
        dtmf_tx_set_timing(state, Int32(onMilliseconds), Int32(offMilliseconds))
        _ = dtmf_tx_put(state, digits, -1)
    }

    deinit { dtmf_tx_free(state) }

    public func read(into frame: inout [Int16]) -> Bool {
        let produced = frame.withUnsafeMutableBufferPointer { Int(dtmf_tx(state, $0.baseAddress!, Int32($0.count))) }
        for i in produced..<frame.count { frame[i] = 0 }
        return produced > 0
    }
}
