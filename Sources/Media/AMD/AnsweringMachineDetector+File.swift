extension AnsweringMachineDetector {
    /// Judges a recording taken to start at the answer, with the code a live call runs (the
    /// audio converted to 8 kHz first): the verdict at the end of the file, with its beep if
    /// one was heard anywhere in it.
    public static func judge(_ audio: WAVAudio, settings: AMDSettings = AMDSettings()) throws(ResamplerError) -> AMDResult {
        let narrowband = try audio.resampled(to: sampleRate)
        let detector = AnsweringMachineDetector(settings: settings)
        narrowband.samples.withUnsafeBufferPointer { all in
            var start = 0
            while start + frameSamples <= all.count {
                _ = detector.feed(UnsafeBufferPointer(rebasing: all[start..<(start + frameSamples)]))
                start += frameSamples
            }
        }
        var result = detector.finish()
        result.beep = detector.beep
        return result
    }
}
