import Foundation
import Media

/// How the answering-machine detector did on labelled greetings: accuracy, `notsure`, people
/// called machines, how soon people and machines were recognised, beeps found and when the
/// message could start after them. The final verdict counts (after any revision), `notsure`
/// as a miss.
public struct AMDScorecard: Sendable {
    public struct Item: Sendable {
        public var greeting: Greeting
        public var truth: GreetingRenderer.Truth
        public var first: AMDResult
        public var final: AMDResult
        /// When the beep was reported (its end confirmed), ms from the answer.
        public var beepReportedMs: Int?

        public var isCorrect: Bool { final.verdict.rawValue == greeting.kind.truth }
    }

    public private(set) var items: [Item] = []

    public init() {}

    /// Renders each greeting and runs the detector over it, 20 ms at a time.
    public mutating func evaluate(_ greetings: [Greeting], renderer: GreetingRenderer, settings: AMDSettings = AMDSettings()) throws {
        for greeting in greetings {
            let (samples, truth) = try renderer.render(greeting)
            let detector = AnsweringMachineDetector(settings: settings)
            var first: AMDResult?
            var beepReported: Int?
            samples.withUnsafeBufferPointer { all in
                var start = 0
                while start + 160 <= all.count {
                    for event in detector.feed(UnsafeBufferPointer(rebasing: all[start..<(start + 160)])) {
                        switch event {
                        case .verdict(let result): first = result
                        case .beep: beepReported = detector.elapsedMs
                        case .revised, .greetingEnded, .specialInformationTone: break
                        }
                    }
                    start += 160
                }
            }
            let final = detector.finish()
            items.append(Item(greeting: greeting, truth: truth, first: first ?? final, final: final, beepReportedMs: beepReported))
        }
    }

    private static func share(_ part: Int, of whole: Int) -> Double { whole == 0 ? 0 : 100 * Double(part) / Double(whole) }

    private static func percentile(_ values: [Int], _ p: Double) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    public var accuracy: Double { Self.share(items.filter(\.isCorrect).count, of: items.count) }
    public var notsure: Double { Self.share(items.filter { $0.final.verdict == .notsure }.count, of: items.count) }
    private var people: [Item] { items.filter { $0.greeting.kind.truth == "human" } }
    private var machines: [Item] { items.filter { $0.greeting.kind.truth == "machine" } }
    /// Of the people, the share called machines (at the end, or at first).
    public var peopleCalledMachines: Double { Self.share(people.filter { $0.final.verdict == .machine }.count, of: people.count) }
    public var machinesCalledPeople: Double { Self.share(machines.filter { $0.final.verdict == .human }.count, of: machines.count) }
    /// Ms from the end of a person's first phrase to the `human` verdict.
    public var humanDelays: [Int] {
        people.filter { $0.first.verdict == .human }.compactMap { item in item.truth.speechEnds.first.map { item.first.decisionMs - $0 } }
    }
    /// Ms from the answer to the first `machine` verdict.
    public var machineDecisions: [Int] {
        machines.compactMap { $0.first.verdict == .machine ? $0.first.decisionMs : ($0.final.verdict == .machine ? $0.final.decisionMs : nil) }
    }
    /// Of the beeps played, those found (start within 60 ms).
    public var beepsFound: (found: Int, played: Int) {
        let played = items.filter { $0.truth.beepStart != nil }
        return (played.filter { item in item.final.beep.map { abs($0.startMs - item.truth.beepStart!) <= 60 } ?? false }.count, played.count)
    }
    /// Beeps reported where none was played.
    public var falseBeeps: Int { items.filter { $0.truth.beepStart == nil && $0.final.beep != nil }.count }
    /// Ms from a played beep's end to its report: when a message left then starts.
    public var messageStartDelays: [Int] {
        items.compactMap { item in
            guard let end = item.truth.beepEnd, let reported = item.beepReportedMs else { return nil }
            return reported - end
        }
    }

    /// The figures, one per line.
    public var report: String {
        let (found, played) = beepsFound
        func ms(_ value: Int?) -> String { value.map { "\($0) ms" } ?? "-" }
        var lines = [
            "greetings: \(items.count) (people \(people.count), machines \(machines.count))",
            String(format: "accuracy: %.1f %%, notsure: %.1f %%, people called machines: %.1f %%, machines called people: %.1f %%",
                   accuracy, notsure, peopleCalledMachines, machinesCalledPeople),
            "people recognised after they stopped: median \(ms(Self.percentile(humanDelays, 0.5))), p90 \(ms(Self.percentile(humanDelays, 0.9)))",
            "machines recognised after the answer: median \(ms(Self.percentile(machineDecisions, 0.5))), p90 \(ms(Self.percentile(machineDecisions, 0.9)))",
            "beeps found: \(found) of \(played), false beeps: \(falseBeeps); message start after the beep's end: median \(ms(Self.percentile(messageStartDelays, 0.5))), max \(ms(messageStartDelays.max())), min \(ms(messageStartDelays.min()))",
        ]
        for kind in GreetingKind.allCases {
            let of = items.filter { $0.greeting.kind == kind }
            guard !of.isEmpty else { continue }
            var verdicts: [String: Int] = [:]
            for item in of { verdicts[item.final.verdict.rawValue, default: 0] += 1 }
            lines.append("  \(kind.rawValue): \(of.filter(\.isCorrect).count)/\(of.count) " + verdicts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// The greetings judged wrong, one line each, for tuning.
    public var misses: [String] {
        items.filter { !$0.isCorrect }.map { item in
            "\(item.greeting.kind.rawValue) as \(item.final.verdict.rawValue) (\(item.final.cause)) voice \(item.greeting.voice) rate \(item.greeting.rate) snr \(Int(item.greeting.line.snr)) loss \(item.greeting.line.loss) ends \(item.truth.speechEnds): \(item.greeting.texts.joined(separator: " | "))"
        }
    }
}
