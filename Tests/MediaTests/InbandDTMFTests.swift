import Foundation
import Media
import Testing

struct InbandDTMFTests {
    /// Runs a generator into a detector, frame by frame, and returns what was detected.
    static func detect(_ digits: String, level: Int, twist: Int) -> String {
        let generator = DTMFToneGenerator(digits: digits, level: level, twist: twist)
        let detector = InbandDTMFDetector()
        var frame = [Int16](repeating: 0, count: 160)
        var silentFrames = 0
        while silentFrames < 10 {
            if !generator.read(into: &frame) { silentFrames += 1 }
            frame.withUnsafeBufferPointer { detector.process($0) }
        }
        return String(detector.digits)
    }

    @Test func everyDigitAtNormalLevel() {
        #expect(Self.detect("0123456789*#ABCD", level: -10, twist: 0) == "0123456789*#ABCD")
    }

    @Test(arguments: [(-20, 6), (-20, -6), (-25, 0)])
    func weakAndTwistedTonesAreStillDetected(level: Int, twist: Int) {
        #expect(Self.detect("159#", level: level, twist: twist) == "159#", "level \(level) dBm0, twist \(twist) dB")
    }

    @Test func tonesBelowTheThresholdAreNot() {
        #expect(Self.detect("159#", level: -45, twist: 0) == "")
    }

    /// Talk-off: a minute of synthesized speech in several voices holds no DTMF digit.
    @Test func aMinuteOfSpeechYieldsNoDigit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-talkoff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tts = SpeechSynthesizer(cacheDirectory: dir)
        let text = """
        Good morning. This is a reminder from the dental office about your appointment on Tuesday at half past nine. \
        Please bring your insurance card and arrive ten minutes early. If you need to reschedule, call us back any \
        weekday between eight and five. We look forward to seeing you. Thank you, and have a wonderful day.
        """
        var speech: [Int16] = []
        for (voice, pitch) in [("en-us", 50), ("en-gb", 70), ("en-us", 30), ("de", 50), ("es", 60), ("fr", 40)] where speech.count < 60 * 8000 {
            speech += try tts.audio(for: SpeechRequest(text: text, voice: voice, pitch: pitch)).samples
        }
        #expect(speech.count >= 60 * 8000, "\(Double(speech.count) / 8000) s of speech")
        let detector = InbandDTMFDetector()
        speech.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                detector.process(UnsafeBufferPointer(rebasing: all[i..<min(i + 160, all.count)]))
                i += 160
            }
        }
        #expect(detector.digits.isEmpty, "false digits: \(String(detector.digits))")
    }
}
