import Media

/// An audio fax terminal as the media ports of a G.711 call's RTP stream: the stream pulls
/// 20 ms of fax modem audio from it each tick (`AudioSource`) and writes what it received
/// into it (`AudioSink`), on the stream's event loop. `onResult` runs once there, when
/// T.30 phase E has given the result. With `onFarEndTone` it also listens for the far end's
/// fax tones (CNG, CED or a V.21 preamble, spandsp's detectors) and calls it once, there,
/// when one is heard: what moves an answering fax to T.38.
public final class AudioFaxPort: AudioSource, AudioSink {
    public let terminal: AudioFaxTerminal
    public let sampleRate = AudioFormat.sampleRate
    private let onResult: (FaxResult) -> Void
    private var onFarEndTone: (() -> Void)?
    private let tones: FaxToneDetector?
    private var reported = false
    private var received = [Int16](repeating: 0, count: 160)

    public init(_ terminal: AudioFaxTerminal, onFarEndTone: (() -> Void)? = nil, onResult: @escaping (FaxResult) -> Void) {
        (self.terminal, self.onResult, self.onFarEndTone) = (terminal, onResult, onFarEndTone)
        tones = onFarEndTone == nil ? nil : FaxToneDetector()
    }

    public func read(into frame: inout [Int16]) -> Bool {
        frame.withUnsafeMutableBufferPointer { terminal.transmit(into: $0) }
        report()
        return true
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {
        if received.count != samples.count { received = [Int16](repeating: 0, count: samples.count) }
        for i in samples.indices { received[i] = samples[i] }
        if let onFarEndTone, let tones, tones.process(samples) != nil {
            self.onFarEndTone = nil
            onFarEndTone()
        }
        received.withUnsafeMutableBufferPointer { terminal.receive($0) }
        report()
    }

    private func report() {
        guard !reported, let result = terminal.result else { return }
        reported = true
        onResult(result)
    }
}
