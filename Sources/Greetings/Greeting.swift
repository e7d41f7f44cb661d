/// What answers a call in a generated greeting, and what a detector should say about it.
public enum GreetingKind: String, Sendable, CaseIterable, Codable {
    /// "Hello?" and other short answers of a person.
    case humanShort = "human-short"
    /// "Hello? … hello?": a person who heard nothing back.
    case humanDoubleHello = "human-double-hello"
    /// A receptionist's long greeting: still a person.
    case humanReceptionist = "human-receptionist"
    case machineShort = "machine-short"
    case machineLong = "machine-long"
    /// Nothing but the line.
    case silence
    /// A fax machine's calling tone.
    case fax
    /// A special information tone and the network's announcement.
    case specialInformation = "sit"

    /// Who answered: `human`, `machine`, `silence` or `fax` (a SIT is the network's machine).
    public var truth: String {
        switch self {
        case .humanShort, .humanDoubleHello, .humanReceptionist: "human"
        case .machineShort, .machineLong, .specialInformation: "machine"
        case .silence: "silence"
        case .fax: "fax"
        }
    }
}

/// One greeting to render: what is said, by which voice, with which pauses and beep, over
/// which line.
public struct Greeting: Sendable, Codable {
    public struct Beep: Sendable, Codable {
        public var frequency: Double
        public var ms: Int
        /// Silence between the last word and the beep.
        public var gapMs: Int
    }

    /// The line between the caller and what answers.
    public struct Line: Sendable, Codable {
        /// Speech level over the noise, dB.
        public var snr: Double
        /// 300-3,400 Hz, as a telephone channel passes.
        public var bandLimited: Bool
        /// Through G.711 (µ-law or A-law) and back.
        public var g711: String?
        /// The share of 20 ms frames lost (silence in their place).
        public var loss: Double
    }

    public var kind: GreetingKind
    /// The phrases said in order, with the silence after each (ms).
    public var phrases: [(text: String, pauseAfterMs: Int)] {
        get { zip(texts, pauses).map { ($0, $1) } }
        set { (texts, pauses) = (newValue.map(\.text), newValue.map(\.pauseAfterMs)) }
    }
    public var texts: [String]
    public var pauses: [Int]
    public var voice: String
    public var rate: Int
    public var pitch: Int
    /// Silence from the answer to the first sound.
    public var leadingMs: Int
    public var beep: Beep?
    public var line: Line
    /// Seeds the line's noise and losses.
    public var seed: UInt64

    public init(kind: GreetingKind, phrases: [(String, Int)], voice: String, rate: Int, pitch: Int, leadingMs: Int,
                beep: Beep?, line: Line, seed: UInt64) {
        (self.kind, texts, pauses) = (kind, phrases.map(\.0), phrases.map(\.1))
        (self.voice, self.rate, self.pitch, self.leadingMs, self.beep, self.line, self.seed) = (voice, rate, pitch, leadingMs, beep, line, seed)
    }
}
