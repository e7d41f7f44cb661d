import Foundation
import Greetings
import Media
import Testing

/// The simulator's generated greetings: every kind renders its variants the same way each
/// time, machines named with a beep have one, `machine-no-beep` has none, and the detector
/// judges each variant as what it is (the end-to-end tests count on it).
struct GreetingVariantsTests {
    @Test func eachVariantIsWhatItsKindSays() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-variants-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let renderer = GreetingRenderer(synthesizer: SpeechSynthesizer(cacheDirectory: directory))
        #expect(try GreetingVariants.render("robot", count: 2, renderer: renderer) == nil)
        for (name, _) in GreetingVariants.kinds {
            let variants = try #require(try GreetingVariants.render(name, count: 4, renderer: renderer))
            let again = try #require(try GreetingVariants.render(name, count: 4, renderer: renderer))
            #expect(variants.map(\.audio) == again.map(\.audio), "\(name) renders the same each time")
            #expect(Set(variants.map(\.audio.samples.count)).count > 1 || name == "silence", "\(name) has different variants")
            for (index, variant) in variants.enumerated() {
                switch name {
                case "machine-short", "machine-long": #expect(variant.beepEndMs != nil, "\(name) \(index)")
                default: #expect(variant.beepEndMs == nil, "\(name) \(index)")
                }
                let result = try AnsweringMachineDetector.judge(variant.audio)
                print("\(name) \(index): \(result.verdict.rawValue) (\(result.cause)) at \(result.decisionMs) ms, beep end \(result.beep?.endMs ?? -1) / \(variant.beepEndMs ?? -1)")
                #expect(result.verdict.rawValue == variant.truth, "\(name) \(index): \(result.cause)")
                if let beepEnd = variant.beepEndMs {
                    #expect(abs((result.beep?.endMs ?? 0) - beepEnd) <= 100, "\(name) \(index): beep \(String(describing: result.beep))")
                }
            }
        }
    }
}
