import Foundation

/// What an answered call does: a list of verbs run in order (issue #5 item 4). Posted and
/// stored as JSON, one object per verb with a `verb` field:
///
/// ```json
/// [{"verb": "say", "text": "Hello {first_name}, your code is {code}", "voice": "en-us", "repeat": 2},
///  {"verb": "gather", "max_digits": 1, "timeout": 5, "retries": 2, "name": "rating",
///   "prompt": {"verb": "say", "text": "Press 1 for yes, 2 for no"},
///   "branches": {"1": [{"verb": "say", "text": "Thank you"}], "2": [{"verb": "hangup"}]}},
///  {"verb": "pause", "seconds": 1},
///  {"verb": "play", "recording": "<recording id>"},
///  {"verb": "dial", "to": "+15550100200", "ring_timeout": 30},
///  {"verb": "amd", "timeout": 8, "keep_audio": true, "on_human": [{"verb": "say", "text": "Hi, a quick question"}],
///   "on_machine": [{"verb": "wait_for_beep", "timeout": 30}, {"verb": "say", "text": "Please call us back"}]},
///  {"verb": "fax", "document": "<document id>", "transport": "auto", "ecm": true, "station_id": "+1 555 0100", "header": "Acme"},
///  {"verb": "hangup"}]
/// ```
///
/// A flow answering inbound calls may hold `{"verb": "receive_fax"}` (the same options but
/// the document): the fax received is served at the CDR's `fax.file`.
public struct CallFlow: Sendable, Equatable {
    public var verbs: [Verb]

    public init(_ verbs: [Verb]) { self.verbs = verbs }

    public indirect enum Verb: Sendable, Equatable {
        /// Text spoken by espeak-ng; `{field}` is filled from the contact.
        case say(Speech)
        /// A stored recording, by id.
        case play(recording: String, repeatCount: Int)
        case gather(Gather)
        /// Records what the far end says for up to `maxSeconds` (or until `#`); the file
        /// is the CDR's recording.
        case record(maxSeconds: Double)
        /// Blind transfer (REFER) to a number or sip: URI.
        case transfer(to: String)
        /// Calls a number (through the call's trunk) or sip: URI, ringback meanwhile, and
        /// bridges the two calls when it answers; when it does not, the flow goes on.
        case dial(to: String, ringTimeout: Double)
        case pause(seconds: Double)
        case hangup
        /// Answering-machine detection: listens to who answered and runs the verbs of the
        /// verdict (`notsure` runs `on_human`'s unless it has its own); the verdict goes in the CDR.
        case amd(AMDStep)
        /// Waits, at most `timeout` s, for a machine's beep to end, or for its greeting to end
        /// when no beep comes, so that a message played next is recorded whole.
        case waitForBeep(timeout: Double)
        /// Sends a stored fax document (`/v1/documents`) and waits for T.30's result, which
        /// goes in the CDR's `fax`; then hangs up: a fax ends its flow (only `hangup` may
        /// follow it in its list).
        case fax(document: String, FaxStep)
        /// Receives a fax (a call a peer placed) into the data directory; the result and the
        /// file go in the CDR. Ends the flow, as `fax` does.
        case receiveFax(FaxStep)
    }

    /// How a `fax` or `receive_fax` verb runs T.30: the transport (G.711 first; `t38` asks
    /// for T.38 at once, `auto` moves when the far end asks or, receiving, when its tones are
    /// heard, `audio` never), ECM, the station ID and, sending, the page header.
    public struct FaxStep: Sendable, Equatable {
        /// `auto`, `t38` or `audio` (`FaxSwitch.Mode`'s names).
        public var transport = "auto"
        public var ecm = true
        public var stationID = "sipdial"
        public var header: String?
        /// Gives up (and hangs up) after this many seconds.
        public var timeout = 600.0
    }

    /// What a flow names in the store.
    public enum Stored: Sendable { case recording, document }

    /// The `amd` verb: how long to listen at most, and the verbs of each verdict (`human`,
    /// `machine`, `notsure`, `silence`, `fax`).
    public struct AMDStep: Sendable, Equatable {
        public var timeout = 8.0
        public var branches: [String: [Verb]] = [:]
        /// Keep what the detector heard (up to `timeout` + 5 s) as the CDR's `amd_audio`.
        public var keepAudio = false

        public static let verdicts = ["human", "machine", "notsure", "silence", "fax"]

        /// The verbs a verdict runs: `notsure` falls back on `human`'s.
        public func verbs(for verdict: String) -> [Verb] {
            branches[verdict] ?? (verdict == "notsure" ? branches["human"] ?? [] : [])
        }
    }

    public struct Speech: Sendable, Equatable {
        public var text: String
        public var voice = "en-us"
        public var rate = 160
        public var pitch = 50
        public var volume = 100
        public var repeatCount = 1
        /// Speak each character on its own ("1 2 3 4"), as an OTP is read.
        public var digitByDigit = false
    }

    public struct Gather: Sendable, Equatable {
        /// The answer's name in the CDR's answers; default `gather1`, `gather2` ...
        public var name: String
        public var prompt: [Verb]
        public var maxDigits = 1
        /// Seconds to wait for the first digit and between digits.
        public var timeout = 5.0
        public var terminator: Character? = "#"
        /// Times the prompt is played again when nothing (or no branch's digits) came.
        public var retries = 0
        /// Verbs run for an answer; an answer with no branch ends the gather.
        public var branches: [String: [Verb]] = [:]
    }

    /// A flow that cannot be used, with the JSON path of the problem (`flow[1].text`).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field) \(message)" }
    }
}

extension CallFlow {
    /// Reads a flow from its JSON text; `exists` checks what `play` and `fax` name.
    public init(json: String, exists: (Stored, String) -> Bool = { _, _ in true }) throws(Invalid) {
        guard case .array(let list)? = JSONValue(parsing: json) else {
            throw Invalid(field: "flow", message: "must be a JSON array of verbs")
        }
        var counter = 0
        self.init(try Self.verbs(list, path: "flow", gatherCounter: &counter, exists: exists))
    }

    static func verbs(_ list: [JSONValue], path: String, gatherCounter: inout Int, exists: (Stored, String) -> Bool) throws(Invalid) -> [Verb] {
        var out: [Verb] = []
        for (index, item) in list.enumerated() {
            let verb = try verb(item, path: "\(path)[\(index)]", gatherCounter: &gatherCounter, exists: exists)
            switch (out.last, verb) {
            case (.fax?, .hangup), (.receiveFax?, .hangup): break
            case (.fax?, _), (.receiveFax?, _):
                throw Invalid(field: "\(path)[\(index)]", message: "follows a fax verb, which ends the flow (only hangup may)")
            default: break
            }
            out.append(verb)
        }
        return out
    }

    static func verb(_ item: JSONValue, path: String, gatherCounter: inout Int, exists: (Stored, String) -> Bool) throws(Invalid) -> Verb {
        guard case .object(let object) = item else { throw Invalid(field: path, message: "must be an object with a verb") }
        let fields = FlowFields(object: object, path: path)
        guard let name = try fields.string("verb") else { throw Invalid(field: path + ".verb", message: "is missing") }
        switch name {
        case "say":
            guard let text = try fields.string("text"), !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Invalid(field: path + ".text", message: "is missing")
            }
            var speech = Speech(text: text)
            speech.voice = try fields.string("voice") ?? speech.voice
            speech.rate = try fields.int("rate", in: 80...450) ?? speech.rate
            speech.pitch = try fields.int("pitch", in: 0...99) ?? speech.pitch
            speech.volume = try fields.int("volume", in: 0...200) ?? speech.volume
            speech.repeatCount = try fields.int("repeat", in: 1...20) ?? 1
            speech.digitByDigit = try fields.bool("digit_by_digit") ?? false
            return .say(speech)
        case "play":
            guard let recording = try fields.string("recording") else { throw Invalid(field: path + ".recording", message: "is missing") }
            guard exists(.recording, recording) else { throw Invalid(field: path + ".recording", message: "names no recording") }
            return .play(recording: recording, repeatCount: try fields.int("repeat", in: 1...20) ?? 1)
        case "gather":
            gatherCounter += 1
            var gather = Gather(name: try fields.string("name") ?? "gather\(gatherCounter)", prompt: [])
            if let prompt = object["prompt"] {
                let list: [JSONValue] = if case .array(let a) = prompt { a } else { [prompt] }
                gather.prompt = try verbs(list, path: path + ".prompt", gatherCounter: &gatherCounter, exists: exists)
            }
            gather.maxDigits = try fields.int("max_digits", in: 1...32) ?? 1
            gather.timeout = try fields.number("timeout", in: 1...120) ?? 5
            if let terminator = try fields.string("terminator") {
                guard terminator.count <= 1, terminator.allSatisfy({ "0123456789*#".contains($0) }) else {
                    throw Invalid(field: path + ".terminator", message: "must be one of 0-9, * or #, or empty")
                }
                gather.terminator = terminator.first
            }
            gather.retries = try fields.int("retries", in: 0...10) ?? 0
            if let branches = object["branches"] {
                guard case .object(let map) = branches else { throw Invalid(field: path + ".branches", message: "must be an object of digits: verbs") }
                for (digits, list) in map {
                    guard case .array(let list) = list else { throw Invalid(field: "\(path).branches.\(digits)", message: "must be a list of verbs") }
                    gather.branches[digits] = try verbs(list, path: "\(path).branches.\(digits)", gatherCounter: &gatherCounter, exists: exists)
                }
            }
            return .gather(gather)
        case "record":
            return .record(maxSeconds: try fields.number("max_seconds", in: 1...3600) ?? 60)
        case "transfer":
            guard let to = try fields.string("to") else { throw Invalid(field: path + ".to", message: "is missing") }
            return .transfer(to: to)
        case "dial":
            guard let to = try fields.string("to") else { throw Invalid(field: path + ".to", message: "is missing") }
            return .dial(to: to, ringTimeout: try fields.number("ring_timeout", in: 5...300) ?? 30)
        case "pause":
            return .pause(seconds: try fields.number("seconds", in: 0...300) ?? 1)
        case "hangup":
            return .hangup
        case "amd":
            var step = AMDStep(timeout: try fields.number("timeout", in: 2...30) ?? 8)
            step.keepAudio = try fields.bool("keep_audio") ?? false
            for verdict in AMDStep.verdicts {
                guard let list = object["on_" + verdict] else { continue }
                guard case .array(let verbs) = list else { throw Invalid(field: "\(path).on_\(verdict)", message: "must be a list of verbs") }
                step.branches[verdict] = try self.verbs(verbs, path: "\(path).on_\(verdict)", gatherCounter: &gatherCounter, exists: exists)
            }
            return .amd(step)
        case "wait_for_beep":
            return .waitForBeep(timeout: try fields.number("timeout", in: 1...120) ?? 30)
        case "fax":
            guard let document = try fields.string("document") else { throw Invalid(field: path + ".document", message: "is missing") }
            guard exists(.document, document) else { throw Invalid(field: path + ".document", message: "names no document") }
            return .fax(document: document, try fields.faxStep())
        case "receive_fax":
            return .receiveFax(try fields.faxStep())
        default:
            throw Invalid(field: path + ".verb", message: "'\(name)' is not a verb (say, play, gather, record, dial, transfer, pause, hangup, amd, wait_for_beep, fax, receive_fax)")
        }
    }

    /// Every verb of the flow, those inside gathers' prompts and branches included.
    var allVerbs: [Verb] {
        func flatten(_ verbs: [Verb]) -> [Verb] {
            verbs.flatMap { verb -> [Verb] in
                switch verb {
                case .gather(let g): [verb] + flatten(g.prompt) + g.branches.values.flatMap(flatten)
                case .amd(let step): [verb] + step.branches.values.flatMap(flatten)
                default: [verb]
                }
            }
        }
        return flatten(verbs)
    }

    /// Whether a `transfer` appears anywhere (a flow answering inbound calls may not have one:
    /// sipdial sends REFER only on calls it placed).
    public var transfers: Bool {
        allVerbs.contains { if case .transfer = $0 { true } else { false } }
    }

    /// Whether the flow records the call (it has a `record` verb somewhere).
    var records: Bool {
        allVerbs.contains { if case .record = $0 { true } else { false } }
    }

    /// The recordings the flow plays, to check they exist or to load them.
    public var recordings: Set<String> {
        Set(allVerbs.compactMap { if case .play(let id, _) = $0 { id } else { nil } })
    }

    /// Whether a `fax` or `receive_fax` appears anywhere: its calls answer T.38 offers.
    var faxes: Bool {
        allVerbs.contains {
            switch $0 {
            case .fax, .receiveFax: true
            default: false
            }
        }
    }
}

/// Typed reads of one verb's fields, each failure naming the field's path.
struct FlowFields {
    let object: [String: JSONValue]
    let path: String

    func string(_ key: String) throws(CallFlow.Invalid) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw CallFlow.Invalid(field: "\(path).\(key)", message: "must be a string")
        }
    }

    func number(_ key: String, in range: ClosedRange<Double>) throws(CallFlow.Invalid) -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let n)?:
            guard range.contains(n) else {
                throw CallFlow.Invalid(field: "\(path).\(key)", message: "must be from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        default: throw CallFlow.Invalid(field: "\(path).\(key)", message: "must be a number")
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(CallFlow.Invalid) -> Int? {
        guard let n = try number(key, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard n == n.rounded() else { throw CallFlow.Invalid(field: "\(path).\(key)", message: "must be a whole number") }
        return Int(n)
    }

    /// A fax verb's options: `transport` (t38, audio, auto), `ecm`, `station_id` (up to 20
    /// ASCII characters), `header` (up to 50), `timeout` (30-3600 s).
    func faxStep() throws(CallFlow.Invalid) -> CallFlow.FaxStep {
        var step = CallFlow.FaxStep()
        if let transport = try string("transport") {
            guard ["t38", "audio", "auto"].contains(transport) else {
                throw CallFlow.Invalid(field: "\(path).transport", message: "must be t38, audio or auto")
            }
            step.transport = transport
        }
        step.ecm = try bool("ecm") ?? true
        if let id = try string("station_id") {
            guard id.count <= 20, id.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
                throw CallFlow.Invalid(field: "\(path).station_id", message: "must be up to 20 ASCII characters")
            }
            step.stationID = id
        }
        if let header = try string("header") {
            guard header.count <= 50, header.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
                throw CallFlow.Invalid(field: "\(path).header", message: "must be up to 50 ASCII characters")
            }
            step.header = header
        }
        step.timeout = try number("timeout", in: 30...3600) ?? step.timeout
        return step
    }

    func bool(_ key: String) throws(CallFlow.Invalid) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw CallFlow.Invalid(field: "\(path).\(key)", message: "must be true or false")
        }
    }
}
