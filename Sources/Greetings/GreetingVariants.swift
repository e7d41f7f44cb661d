import Media

/// The generated greetings `sipdial simulate` answers with by kind (issue #22 item 8): a
/// script's `greeting=machine-long` plays one of a few renderings of that kind, each with
/// its own voice, rate, pitch, wording, pauses, beep and line noise, drawn from the tuning
/// part's banks (`AMDCorpus`) with a seed fixed per kind, so the same variants come back on
/// every machine and a test knows what each one is.
public enum GreetingVariants {
    /// The kinds a script may name, and the corpus kind each is drawn from.
    public static let kinds: [(name: String, kind: GreetingKind)] = [
        ("human-short", .humanShort), ("human-double-hello", .humanDoubleHello), ("human-receptionist", .humanReceptionist),
        ("machine-short", .machineShort), ("machine-long", .machineLong), ("machine-no-beep", .machineLong),
        ("silence", .silence), ("fax", .fax), ("sit", .specialInformation),
    ]

    /// One rendering: its audio, what it is (`human`, `machine`, `silence`, `fax`), where its
    /// speech ends and where its beep ends (ms from the answer), when it has them.
    public struct Variant: Sendable {
        public var audio: WAVAudio
        public var truth: String
        public var speechEndMs: Int?
        public var beepEndMs: Int?
    }

    /// `count` renderings of the kind `name`; nil when `name` is not one of `kinds`. Machines
    /// named `-short` and `-long` always end in a beep (400 to 2,200 Hz, 150 ms to 1 s),
    /// `machine-no-beep` never does.
    public static func render(_ name: String, count: Int, renderer: GreetingRenderer) throws -> [Variant]? {
        guard let kind = kinds.first(where: { $0.name == name })?.kind else { return nil }
        let bank = AMDCorpus.bank(.tune)
        var random = SeededRandom(seed: name.utf8.reduce(0x6772_6565) { $0 &* 31 &+ UInt64($1) })
        var variants: [Variant] = []
        for _ in 0..<count {
            var greeting = AMDCorpus.greeting(kind, bank, &random)
            switch name {
            case "machine-no-beep": greeting.beep = nil
            case "machine-short", "machine-long":
                if greeting.beep == nil {
                    greeting.beep = Greeting.Beep(frequency: bank.beepFrequencies[variants.count % bank.beepFrequencies.count], ms: 400, gapMs: 300)
                }
            default: break
            }
            let (samples, truth) = try renderer.render(greeting, trailingMs: 2000)
            variants.append(Variant(audio: WAVAudio(samples: samples, sampleRate: 8000), truth: kind.truth,
                                    speechEndMs: truth.speechEnds.last, beepEndMs: truth.beepEnd))
        }
        return variants
    }
}
