/// The labelled greetings the answering-machine detector is tuned and measured on, made the
/// same way on every machine from a seed. Two parts that share no voice, variant or phrase
/// bank (beyond "Hello?"): thresholds are chosen on `tune`, accuracy is reported on `test`.
public enum AMDCorpus {
    public enum Part: String, Sendable, CaseIterable {
        case tune, test
    }

    struct Bank {
        var voices: [String]
        var variants: [String]
        var rates: ClosedRange<Int>
        var short: [String]
        var receptionist: [String]
        var machineOpenings: [String]
        var machineMiddles: [String]
        var machineClosings: [String]
        var beepFrequencies: [Double]
        var announcements: [String]
    }

    static func bank(_ part: Part) -> Bank {
        switch part {
        case .tune:
            Bank(voices: ["en-US", "en-GB-x-rp", "en-029", "en-GB-x-gbclan"], variants: ["", "+m1", "+f2", "+m3", "+f4"], rates: 140...195,
                 short: ["Hello?", "Hello.", "Yes?", "Hi.", "Yeah?", "Hello, who is this?", "Hi, this is John.", "Mark speaking.",
                         "Good evening.", "Hey.", "Hello, Karen here.", "Speaking."],
                 receptionist: ["Good morning, Riverside Dental, this is Amy, how can I help you?",
                                "Thank you for calling Hart and Sons, Daniel speaking.",
                                "Northside Pharmacy, this is Joe, what can I do for you?",
                                "City Plumbing, good afternoon, how may I help?"],
                 machineOpenings: ["Hi, you have reached the Miller family.", "Hello, this is Sam.", "You've reached Tom's phone.",
                                   "Thank you for calling Green Valley Insurance.", "Hi, it's Jessica."],
                 machineMiddles: ["We can't come to the phone right now.", "I'm away from my desk at the moment.",
                                  "Our office is currently closed.", "Sorry I missed your call."],
                 machineClosings: ["Please leave a message after the tone.", "Leave your name and number and I'll get back to you.",
                                   "Please leave a message and we will return your call as soon as possible.", "Thanks, bye."],
                 beepFrequencies: [600, 800, 1000, 1400, 2000],
                 announcements: ["We're sorry, the number you have dialed is not in service.",
                                 "All circuits are busy now, please try your call again later."])
        case .test:
            Bank(voices: ["en", "en-GB-scotland", "en-US-nyc", "en-GB-x-gbcwmd"], variants: ["", "+f1", "+m2", "+f3", "+m4", "+f5"], rates: 135...205,
                 short: ["Hello?", "Hi there.", "Yes, hello?", "Hi, this is Paul.", "Good afternoon.", "Hello, Lisa speaking.",
                         "Uh, hello?", "Who's this?", "Yep?", "Morning.", "This is Dave."],
                 receptionist: ["Good afternoon, Lakeside Veterinary Clinic, Emma speaking.",
                                "Hello, Baker and Lane accounting, this is Chris, how can I help?",
                                "Thanks for calling Sunrise Hotel, front desk, Maria speaking.",
                                "Westfield Motors, service department, how can I help you today?"],
                 machineOpenings: ["Hello, you've reached Anna and Mike.", "Hi, this is David's voicemail.", "You have reached the Patel residence.",
                                   "Welcome to Brightline Internet support.", "Hey, it's Chris."],
                 machineMiddles: ["We're not available to take your call.", "I'm on the other line or out of the office.",
                                  "Our business hours are nine to five, Monday to Friday.", "I can't answer right now."],
                 machineClosings: ["At the tone, please record your message.", "Leave a message and I'll call you back.",
                                   "Please leave your name, number and a short message after the beep.", "Talk to you soon."],
                 beepFrequencies: [440, 950, 1200, 1800, 2200],
                 announcements: ["The number you have reached has been disconnected.",
                                 "Your call cannot be completed as dialed, please check the number and dial again."])
        }
    }

    /// The greetings of `part`, `count` of them, the same ones every time.
    public static func greetings(_ part: Part, count: Int) -> [Greeting] {
        let bank = bank(part)
        var random = SeededRandom(seed: part == .tune ? 0x7075_6E65 : 0x7465_7374)
        let kinds: [(GreetingKind, Double)] = [(.humanShort, 0.30), (.humanDoubleHello, 0.08), (.humanReceptionist, 0.10), (.machineShort, 0.15),
                                               (.machineLong, 0.27), (.silence, 0.03), (.fax, 0.03), (.specialInformation, 0.04)]
        return (0..<count).map { _ in
            var draw = Double.random(in: 0..<1, using: &random)
            let kind = kinds.first { draw -= $0.1; return draw < 0 }?.0 ?? .machineLong
            return greeting(kind, bank, &random)
        }
    }

    static func greeting(_ kind: GreetingKind, _ bank: Bank, _ random: inout SeededRandom) -> Greeting {
        func pick<T>(_ list: [T]) -> T { list[Int.random(in: 0..<list.count, using: &random)] }
        let voice = pick(bank.voices) + pick(bank.variants)
        let rate = Int.random(in: bank.rates, using: &random), pitch = Int.random(in: 25...80, using: &random)
        var phrases: [(String, Int)] = []
        var beep: Greeting.Beep?
        var leading = Int.random(in: 150...1000, using: &random)
        switch kind {
        case .humanShort: phrases = [(pick(bank.short), 0)]
        case .humanDoubleHello: phrases = [("Hello?", Int.random(in: 900...2200, using: &random)), ("Hello?", 0)]
        case .humanReceptionist: phrases = [(pick(bank.receptionist), 0)]
        case .machineShort, .machineLong:
            leading = Int.random(in: 200...1500, using: &random)
            var sentences = [pick(bank.machineOpenings)]
            if kind == .machineLong { sentences += [pick(bank.machineMiddles)] + (Bool.random(using: &random) ? [pick(bank.machineMiddles)] : []) }
            sentences.append(pick(bank.machineClosings))
            phrases = sentences.map { ($0, Double.random(in: 0..<1, using: &random) < 0.15 ? Int.random(in: 1000...1800, using: &random)
                                                                                             : Int.random(in: 200...900, using: &random)) }
            if Double.random(in: 0..<1, using: &random) < 0.75 {
                beep = Greeting.Beep(frequency: pick(bank.beepFrequencies), ms: pick([150, 250, 400, 700, 1000]),
                                     gapMs: Int.random(in: 150...800, using: &random))
            }
        case .specialInformation: phrases = [(pick(bank.announcements), 0)]
        case .silence, .fax: break
        }
        let line = Greeting.Line(snr: Double.random(in: 10...35, using: &random), bandLimited: Double.random(in: 0..<1, using: &random) < 0.8,
                                 g711: Double.random(in: 0..<1, using: &random) < 0.8 ? pick(["mu", "a"]) : nil,
                                 loss: Double.random(in: 0..<1, using: &random) < 0.3 ? Double.random(in: 0.01...0.03, using: &random) : 0)
        return Greeting(kind: kind, phrases: phrases, voice: voice, rate: rate, pitch: pitch, leadingMs: leading, beep: beep, line: line,
                        seed: random.next())
    }
}
