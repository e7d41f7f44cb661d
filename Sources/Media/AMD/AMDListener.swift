/// The answering-machine detector as a port on a call's received audio (house rule: media
/// ports are passive): the stream writes what it plays out, at 8 kHz (a wideband stream
/// converts for it, as for the DTMF detector), whole 20 ms frames go to the detector, and its
/// events to `onEvent`, on the stream's event loop. Audio the stream did not write (a gap in
/// its positions) is silence in the detector's time, up to a second. Once the detector has
/// nothing left to say, it is no longer fed. With `keepSeconds`, the first seconds of what
/// it heard are kept (`heard`), so an operator can listen to why a call was judged as it was.
public final class AMDListener: AudioSink {
    public let sampleRate = AnsweringMachineDetector.sampleRate
    private let detector: AnsweringMachineDetector
    private let onEvent: (AMDEvent) -> Void
    private var frame = [Int16](repeating: 0, count: AnsweringMachineDetector.frameSamples)
    private var filled = 0
    /// The position the next write should start at.
    private var expected: Int?
    private let keep: Int
    /// The audio the detector was fed, up to `keepSeconds` (8 kHz). Read it once the stream
    /// has stopped (it is written on the stream's event loop).
    public private(set) var heard: [Int16] = []

    public init(settings: AMDSettings, keepSeconds: Double = 0, onEvent: @escaping (AMDEvent) -> Void) {
        detector = AnsweringMachineDetector(settings: settings)
        keep = Int(keepSeconds * Double(AnsweringMachineDetector.sampleRate))
        heard.reserveCapacity(keep)
        self.onEvent = onEvent
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        guard !detector.isFinished else { return }
        if let expected, position > expected {
            for _ in 0..<min(position - expected, sampleRate) { take(0) }
        }
        expected = position + samples.count
        for sample in samples { take(sample) }
    }

    private func take(_ sample: Int16) {
        if heard.count < keep { heard.append(sample) }
        frame[filled] = sample
        filled += 1
        guard filled == frame.count else { return }
        filled = 0
        for event in frame.withUnsafeBufferPointer(detector.feed) { onEvent(event) }
    }
}
