/// Who or what answered a call, as the answering-machine detector judged it.
public enum AMDVerdict: String, Sendable, Codable, Equatable {
    case human, machine, notsure, silence, fax
}

/// A beep: one stable tone, where it starts and ends (ms from the answer).
public struct AMDBeep: Sendable, Codable, Equatable {
    public var frequencyHz: Int
    public var startMs: Int
    public var endMs: Int
}

/// What the verdict rests on, in ms from the answer unless said otherwise.
public struct AMDEvidence: Sendable, Codable, Equatable {
    /// When speech was first heard.
    public var firstSpeechMs: Int?
    /// The first utterance: speech whose pauses are shorter than the silence that makes a
    /// person (`AMDSettings.humanSilence`).
    public var firstUtteranceMs: Int?
    /// The silence after the first utterance, as far as it was heard.
    public var gapAfterFirstMs: Int?
    /// Stretches of speech separated by at least 300 ms of silence.
    public var speechBursts = 0
    public var totalSpeechMs = 0
    public var longestSpeechMs = 0
    /// The line's noise floor (dB below a full-scale square wave).
    public var noiseFloorDb: Int = -120
    /// A special information tone heard (the call failed in the network).
    public var specialInformationTone: SpecialInformationTone?
    /// Ringback heard after the answer (a false answer).
    public var ringback = false

    public init() {}
}

/// One verdict with its reason in words, its evidence, and when it was reached.
public struct AMDResult: Sendable, Codable, Equatable {
    public var verdict: AMDVerdict
    /// Why, for a person to read: "short greeting (0.6 s) then silence", "beep at 6.1 s" …
    public var cause: String
    /// Ms from the answer to the verdict.
    public var decisionMs: Int
    public var beep: AMDBeep?
    public var evidence: AMDEvidence

    enum CodingKeys: String, CodingKey {
        case verdict, cause, decisionMs, beep, evidence
    }

    /// `beep` is written as null when there is none, so a reader always finds the key.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(cause, forKey: .cause)
        try container.encode(decisionMs, forKey: .decisionMs)
        if let beep { try container.encode(beep, forKey: .beep) } else { try container.encodeNil(forKey: .beep) }
        try container.encode(evidence, forKey: .evidence)
    }

    /// The disposition a call gets from what the network said instead of answering (a SIT,
    /// ringback after the answer); nil when someone or something answered.
    public var callProgressDisposition: String? {
        if let tone = evidence.specialInformationTone { return tone.disposition }
        return evidence.ringback ? "no_answer" : nil
    }
}

/// What the detector reports as it listens.
public enum AMDEvent: Sendable, Equatable {
    /// The first verdict.
    case verdict(AMDResult)
    /// A later look changed it (a beep or a long greeting after a `human`).
    case revised(AMDResult)
    /// The beep ended: a message left now is recorded whole.
    case beep(AMDBeep)
    /// A machine's greeting ended without a beep (silence since `atMs`).
    case greetingEnded(atMs: Int)
    /// The network played a special information tone, whatever was decided before: the
    /// result says which, when, and on what evidence (early media uses it: ringback before
    /// a tone is normal there).
    case specialInformationTone(AMDResult)
}

/// The detector's thresholds, in seconds.
public struct AMDSettings: Sendable, Equatable {
    /// With no verdict by then: `notsure` if speech was heard, else `silence`.
    public var timeout: Double = 8
    /// Silence after a short greeting that makes it a person's.
    public var humanSilence: Double = 0.5
    /// The longest first utterance still taken for a person's greeting ("Hello, Acme Dental,
    /// this is Sarah" is about 2 s).
    public var maximumHumanGreeting: Double = 2.0
    /// Speech (pauses shorter than `humanSilence` included) that makes a machine's greeting.
    public var machineGreeting: Double = 5
    /// After a greeting too long for a person's but too short for a machine's: silence with no
    /// beep this long makes it a person (a receptionist waiting for an answer).
    public var longGreetingSilence: Double = 0.8
    /// Speech in all, within the revision window, that revises a `human` verdict: someone who
    /// talks that long without waiting for an answer is a recording.
    public var revisionSpeech: Double = 5
    /// How long after the answer a `human` verdict may still be revised.
    public var revisionWindow: Double = 12
    /// Silence after a machine's greeting that ends it when no beep came (machines beep
    /// within about a second and a half of their last word).
    public var greetingEndSilence: Double = 3

    /// How far above the line's noise floor (dB) a frame counts as speech.
    public var speechAboveFloor: Double = 6
    /// Keep listening after every verdict, until the listener is removed (early media, where
    /// a special information tone can follow ringback).
    public var listensUntilStopped = false

    public init() {}
}
