/// What an answering endpoint does with one incoming call: the script `sipdial simulate`
/// plays per called number, written as `OUTCOME[,OPTION...]`:
///
/// - outcomes: `answer`, `busy` (486), `no-answer` (rings until cancelled, 480 after an
///   hour), `reject=CODE` (any final 3xx-6xx);
/// - options: `after=S` seconds of ringing before the outcome, `hangup=S` this side sends
///   BYE S seconds after the answer (`hangup=LOW-HIGH`: after a time drawn evenly from that
///   range for each call, as people's talk times spread), `dtmf=DIGITS` sent as RFC 4733 events once the audio
///   runs, `early-media` a 183 with the SDP answer and the audio running while it rings,
///   `greeting=NAME` what the answered call hears once instead of the default greeting:
///   `human` (a short "Hello?", a pause, "Hello? Who is this?" — how a person answers),
///   `machine` (a long voicemail message ending in a beep), a generated kind
///   (`human-short`, `human-double-hello`, `human-receptionist`, `machine-short`,
///   `machine-long`, `machine-no-beep`, `silence`, `fax`, `sit`: several voices, noise and
///   beeps, played in turn) or the path of a WAV file; `fax` answers as a fax machine
///   over the call's G.711 audio (T.30 through spandsp) and keeps what it received as
///   `<Call-ID>.tif` in the record directory; it refuses a re-INVITE to T.38 with 488,
///   unless `t38` is given too: then it accepts and receives over T.38 (UDPTL).
public struct CallScript: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        case answer, busy, noAnswer
        case reject(Int)
    }

    public var outcome: Outcome
    public var ringSeconds: Double
    public var hangUpAfter: Double?
    /// With `hangUpAfter`, the latest hang-up of a `hangup=LOW-HIGH` range.
    public var hangUpLatest: Double?
    public var digits: String?
    public var earlyMedia: Bool
    /// The greeting's name (`human`, `machine`) or WAV path; nil for the default greeting.
    public var greeting: String?
    /// Answer as a fax machine instead of playing a greeting.
    public var fax = false
    /// As a fax machine, accept a re-INVITE to T.38.
    public var t38 = false

    public init(outcome: Outcome = .answer, ringSeconds: Double = 0, hangUpAfter: Double? = nil, digits: String? = nil,
                earlyMedia: Bool = false, greeting: String? = nil) {
        self.outcome = outcome
        self.ringSeconds = ringSeconds
        self.hangUpAfter = hangUpAfter
        self.digits = digits
        self.earlyMedia = earlyMedia
        self.greeting = greeting
    }

    /// A script that cannot be read, with what is wrong in it.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(SyntaxError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.filter { $0 != " " } }
        func fail(_ problem: String) -> SyntaxError { SyntaxError(description: "'\(text)': \(problem)") }
        switch parts[0] {
        case "answer": outcome = .answer
        case "busy": outcome = .busy
        case "no-answer": outcome = .noAnswer
        case let p where p.hasPrefix("reject="):
            guard let code = Int(p.dropFirst(7)), (300...699).contains(code) else { throw fail("reject needs a final status code 300-699") }
            outcome = .reject(code)
        default:
            throw fail("starts with an outcome: answer, busy, no-answer or reject=CODE")
        }
        ringSeconds = 0
        earlyMedia = false
        for option in parts.dropFirst() {
            let (name, value) = option.firstIndex(of: "=").map { (String(option[..<$0]), String(option[option.index(after: $0)...])) } ?? (option, "")
            func seconds() throws(SyntaxError) -> Double {
                guard let s = Double(value), s >= 0, s <= 86_400 else { throw fail("\(name) takes seconds (0-86400)") }
                return s
            }
            switch name {
            case "after": ringSeconds = try seconds()
            case "hangup":
                let bounds = value.split(separator: "-", maxSplits: 1).map(String.init)
                guard bounds.count == 2 else {
                    hangUpAfter = try seconds()
                    break
                }
                guard let low = Double(bounds[0]), let high = Double(bounds[1]), low >= 0, low <= high, high <= 86_400 else {
                    throw fail("hangup takes seconds (0-86400) or LOW-HIGH")
                }
                (hangUpAfter, hangUpLatest) = (low, high)
            case "dtmf":
                guard !value.isEmpty, value.allSatisfy({ "0123456789*#ABCD".contains($0) }) else { throw fail("dtmf takes digits 0-9, *, #, A-D") }
                digits = value
            case "early-media": earlyMedia = true
            case "fax": fax = true
            case "t38": t38 = true
            case "greeting":
                guard !value.isEmpty else { throw fail("greeting takes human, machine or a WAV file") }
                greeting = value
            default: throw fail("unknown option '\(option)' (after=S, hangup=S or LOW-HIGH, dtmf=DIGITS, early-media, greeting=NAME, fax, t38)")
            }
        }
    }

    /// Seconds from the answer to this side's BYE for one call: `hangUpAfter`, or a draw
    /// from `hangUpAfter...hangUpLatest`; nil when this side never hangs up.
    public func hangUpDelay() -> Double? {
        guard let hangUpAfter else { return nil }
        guard let hangUpLatest else { return hangUpAfter }
        return Double.random(in: hangUpAfter...hangUpLatest)
    }

    public var description: String {
        var text: String
        switch outcome {
        case .answer: text = "answer"
        case .busy: text = "busy"
        case .noAnswer: text = "no-answer"
        case .reject(let code): text = "reject=\(code)"
        }
        if ringSeconds > 0 { text += ",after=\(ringSeconds.formatted)" }
        if let hangUpAfter { text += ",hangup=\(hangUpAfter.formatted)" + (hangUpLatest.map { "-\($0.formatted)" } ?? "") }
        if let digits { text += ",dtmf=\(digits)" }
        if earlyMedia { text += ",early-media" }
        if let greeting { text += ",greeting=\(greeting)" }
        if fax { text += ",fax" }
        if t38 { text += ",t38" }
        return text
    }
}

private extension Double {
    /// "2" for 2.0, "1.5" for 1.5.
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}

/// Which script each call gets: one per called number (the user part of the Request-URI),
/// else a weighted random choice from the mix, else the default.
public struct CallScriptBook: Sendable {
    public var byNumber: [String: CallScript]
    public var mix: [(weight: Int, script: CallScript)]
    public var fallback: CallScript

    public init(byNumber: [String: CallScript] = [:], mix: [(weight: Int, script: CallScript)] = [], fallback: CallScript = CallScript()) {
        self.byNumber = byNumber
        self.mix = mix
        self.fallback = fallback
    }

    public func script<R: RandomNumberGenerator>(for number: String?, using random: inout R) -> CallScript {
        if let number, let script = byNumber[number] { return script }
        let total = mix.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return fallback }
        var pick = Int.random(in: 0..<total, using: &random)
        for entry in mix {
            if pick < entry.weight { return entry.script }
            pick -= entry.weight
        }
        return fallback
    }

    /// Every greeting a script names, each once.
    public var greetings: Set<String> {
        Set((Array(byNumber.values) + mix.map(\.script) + [fallback]).compactMap(\.greeting))
    }

    public func script(for number: String?) -> CallScript {
        var random = SystemRandomNumberGenerator()
        return script(for: number, using: &random)
    }
}
