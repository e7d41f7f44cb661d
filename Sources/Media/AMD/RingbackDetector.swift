/// Ringback in audio that should be a person or a machine: the sign of a false answer (a
/// network that sends 200 OK while the phone still rings). Each 20 ms frame is judged with
/// the frame before it (40 ms, so the two tones 40-50 Hz apart fall in different Goertzel
/// bins): North American 440 + 480 Hz (ANSI T1.401) or British 400 + 450 Hz, each carrying a
/// fair share of the energy. `feed` says when ringback has lasted `minimum` ms.
struct RingbackDetector {
    static let pairs: [(Double, Double)] = [(440, 480), (400, 450)]
    static let minimum = 800

    private var window = [Int16](repeating: 0, count: 320)
    private var frames = 0

    /// Takes one 160-sample frame at `level` dB; true once ringback has lasted `minimum`.
    mutating func feed(_ frame: UnsafeBufferPointer<Int16>, level: Double) -> Bool {
        for i in 0..<160 { window[i] = window[i + 160] }
        for i in 0..<min(frame.count, 160) { window[160 + i] = frame[i] }
        guard level >= AudioFrameFeatures.toneFloor, Self.pairs.contains(where: isPair) else {
            frames = 0
            return false
        }
        frames += 1
        return frames * 20 >= Self.minimum
    }

    private func isPair(_ pair: (Double, Double)) -> Bool {
        let low = FrequencyShare.of(pair.0, in: window[...]), high = FrequencyShare.of(pair.1, in: window[...])
        return low >= 0.25 && high >= 0.25 && low + high >= 0.75
    }
}
