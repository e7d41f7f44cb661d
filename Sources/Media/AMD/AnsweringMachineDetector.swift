/// Tells who answered a call from the first seconds of what it says, frame by frame, as soon
/// as the evidence is enough: a person says something short and waits ("Hello?" then
/// silence); a machine talks on (a greeting longer than a person's) or beeps; a fax sends its
/// tones; the network may play a special information tone or ringback instead. Speech is
/// found against the line's own noise floor (the lowest level of the last second), so a
/// noisy line is not all speech and a quiet one not all silence; tones are found by
/// `AudioFrameFeatures` and `ToneTracker`, fax tones by spandsp, ringback by
/// `RingbackDetector`.
///
/// It keeps listening after its verdict: a `human` that goes on to a machine's greeting or a
/// beep is revised (within `AMDSettings.revisionWindow`), and after a `machine` it reports the
/// beep's end (or the greeting's end when none comes), which is when a message left is
/// recorded whole. Fed 20 ms frames of 8 kHz audio from the answer on; its time is the audio's.
public final class AnsweringMachineDetector {
    public static let sampleRate = 8000
    public static let frameSamples = 160

    public let settings: AMDSettings
    /// The latest verdict (revised when it was).
    public private(set) var result: AMDResult?
    /// The beep, once heard.
    public private(set) var beep: AMDBeep?
    /// Ms of audio taken so far.
    public private(set) var elapsedMs = 0

    private var evidence = AMDEvidence()
    private let fax = FaxToneDetector()
    private var tones = ToneTracker()
    private var ringback = RingbackDetector()
    /// The last second's frame levels: the noise floor is their minimum.
    private var levels = [Double](repeating: 0, count: 50)
    private var levelCount = 0
    private var onsetFrames = 0
    private var segmentStart: Int?
    private var lastVoiced: Int?
    private var utteranceStart: Int?
    private var utterances = 0
    private var greetingEndReported = false

    public init(settings: AMDSettings = AMDSettings()) {
        self.settings = settings
    }

    /// Whether there is nothing left to say: a final verdict, and after a machine its beep.
    public var isFinished: Bool {
        guard let result, !settings.listensUntilStopped else { return false }
        switch result.verdict {
        case .human: return elapsedMs >= ms(settings.revisionWindow)
        // A beep can still come after the greeting's end was reported (a late one).
        case .machine: return beep != nil || (greetingEndReported && elapsedMs >= (lastVoiced ?? 0) + 2 * ms(settings.greetingEndSilence))
        case .notsure, .silence, .fax: return true
        }
    }

    /// Takes the next 20 ms of received audio (160 samples at 8 kHz); returns what it found.
    public func feed(_ frame: UnsafeBufferPointer<Int16>) -> [AMDEvent] {
        let start = elapsedMs
        elapsedMs += 20
        let features = AudioFrameFeatures(frame, sampleRate: Self.sampleRate)
        var found: [AMDEvent] = []
        if let tone = fax.process(frame), result == nil {
            decide(.fax, tone == .cng ? "fax calling tone (CNG)" : "fax answer tone (CED)", &found)
        }
        switch tones.feed(tone: features.toneFrequency, at: start) {
        case .beep(let run)?: heard(AMDBeep(frequencyHz: Int(run.frequency.rounded()), startMs: run.start, endMs: run.end), &found)
        case .specialInformation(let kind, _)?:
            evidence.specialInformationTone = kind
            let cause = "special information tone (\(kind.rawValue))"
            found.append(.specialInformationTone(AMDResult(verdict: .machine, cause: cause, decisionMs: elapsedMs, beep: nil, evidence: evidenceNow)))
            decide(.machine, cause, &found)
        case nil: break
        }
        if ringback.feed(frame, level: features.level), !evidence.ringback, evidence.totalSpeechMs == 0, result == nil {
            evidence.ringback = true
            decide(.silence, "ringback after the answer (a false answer)", &found)
        }
        listen(features)
        judgeSpeech(&found)
        return found
    }

    /// The verdict at the end of the audio when none came sooner (an offline file shorter
    /// than the timeout).
    public func finish() -> AMDResult {
        if let result { return result }
        var found: [AMDEvent] = []
        closeUtterance()
        timeOut(&found)
        return result!
    }

    private func ms(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }

    // MARK: Speech

    /// Follows speech: a burst starts with two voiced frames and ends after 300 ms without
    /// one; an utterance ends after `humanSilence`.
    private func listen(_ features: AudioFrameFeatures) {
        // Digital silence (a lost packet not concealed) says nothing about the line's noise.
        if features.level > -90 {
            levels[levelCount % levels.count] = features.level
            levelCount += 1
        }
        let floor = levels[0..<min(levelCount, levels.count)].min() ?? -90
        evidence.noiseFloorDb = Int(floor.rounded())
        let voiced = features.toneFrequency == nil && features.level >= max(floor + settings.speechAboveFloor, -50)
        let now = elapsedMs
        if voiced {
            if segmentStart == nil {
                onsetFrames += 1
                guard onsetFrames >= 2 else { return }
                segmentStart = now - 40
                if evidence.firstSpeechMs == nil { evidence.firstSpeechMs = now - 40 }
                if utteranceStart == nil {
                    utteranceStart = now - 40
                    if utterances == 1, evidence.gapAfterFirstMs == nil, let first = evidence.firstSpeechMs, let length = evidence.firstUtteranceMs {
                        evidence.gapAfterFirstMs = now - 40 - (first + length)
                    }
                }
            }
            lastVoiced = now
            return
        }
        onsetFrames = 0
        guard let last = lastVoiced else { return }
        if let start = segmentStart, now - last >= 300 {
            let length = last - start
            evidence.speechBursts += 1
            evidence.totalSpeechMs += length
            evidence.longestSpeechMs = max(evidence.longestSpeechMs, length)
            segmentStart = nil
        }
        if utteranceStart != nil, now - last >= ms(settings.humanSilence) { closeUtterance() }
    }

    private func closeUtterance() {
        guard let start = utteranceStart, let last = lastVoiced else { return }
        if let segment = segmentStart {
            let length = last - segment
            evidence.speechBursts += 1
            evidence.totalSpeechMs += length
            evidence.longestSpeechMs = max(evidence.longestSpeechMs, length)
            segmentStart = nil
        }
        utterances += 1
        if utterances == 1 { evidence.firstUtteranceMs = last - start }
        utteranceStart = nil
    }

    /// The length of the utterance under way, if one is.
    private var utteranceLength: Int? {
        guard let start = utteranceStart, let last = lastVoiced else { return nil }
        return last - start
    }

    private func judgeSpeech(_ found: inout [AMDEvent]) {
        let now = elapsedMs
        let silence = lastVoiced.map { now - $0 } ?? now
        let revisable = result?.verdict == .human && now <= ms(settings.revisionWindow)
        // One utterance as long as a machine's greeting.
        if let length = utteranceLength, length >= ms(settings.machineGreeting) {
            if result == nil {
                decide(.machine, "speech for \(seconds(length)) without a pause of \(seconds(ms(settings.humanSilence)))", &found)
            } else if revisable {
                revise("a greeting of \(seconds(length)) after the person's verdict", &found)
            }
        }
        // A greeting too long for a person's that goes on after a pause: the next sentence.
        if result == nil, utteranceStart != nil, utterances >= 1, let first = evidence.firstUtteranceMs, first > ms(settings.maximumHumanGreeting) {
            decide(.machine, "greeting of \(seconds(first)) went on after a pause", &found)
        }
        // A person who goes on talking as long as a machine's greeting.
        if revisable, evidenceNow.totalSpeechMs >= ms(settings.revisionSpeech) {
            revise("\(seconds(evidenceNow.totalSpeechMs)) of speech after the person's verdict", &found)
        }
        if result == nil, utteranceStart == nil, utterances >= 1, let first = evidence.firstUtteranceMs {
            if first <= ms(settings.maximumHumanGreeting), silence >= ms(settings.humanSilence) {
                decide(.human, "short greeting (\(seconds(first))) then silence", &found)
            } else if silence >= ms(settings.longGreetingSilence) {
                decide(.human, "greeting of \(seconds(first)) then silence, no beep", &found)
            }
        }
        if result?.verdict == .machine, beep == nil, !greetingEndReported, evidence.firstSpeechMs != nil,
           let last = lastVoiced, utteranceStart == nil, silence >= ms(settings.greetingEndSilence) {
            greetingEndReported = true
            found.append(.greetingEnded(atMs: last))
        }
        if result == nil, now >= ms(settings.timeout) { timeOut(&found) }
    }

    private func timeOut(_ found: inout [AMDEvent]) {
        let heard = evidence.firstSpeechMs != nil
        decide(heard ? .notsure : .silence,
               heard ? "no decision in \(seconds(elapsedMs))" : "nothing heard in \(seconds(elapsedMs))", &found)
    }

    // MARK: Verdicts

    private func heard(_ found: AMDBeep, _ events: inout [AMDEvent]) {
        guard beep == nil else { return }
        beep = found
        switch result?.verdict {
        case nil: decide(.machine, "beep at \(seconds(found.startMs))", &events)
        case .human? where elapsedMs <= ms(settings.revisionWindow): revise("beep at \(seconds(found.startMs)) after the person's verdict", &events)
        default: result?.beep = found
        }
        events.append(.beep(found))
    }

    /// The evidence as of now: the speech under way counted, the silence after the first
    /// utterance as far as it went.
    private var evidenceNow: AMDEvidence {
        var now = evidence
        if let start = segmentStart, let last = lastVoiced {
            now.speechBursts += 1
            now.totalSpeechMs += last - start
            now.longestSpeechMs = max(now.longestSpeechMs, last - start)
        }
        if now.firstUtteranceMs == nil, let length = utteranceLength { now.firstUtteranceMs = length }
        if now.gapAfterFirstMs == nil, utterances == 1, utteranceStart == nil, let first = now.firstSpeechMs, let length = now.firstUtteranceMs {
            now.gapAfterFirstMs = elapsedMs - (first + length)
        }
        return now
    }

    private func decide(_ verdict: AMDVerdict, _ cause: String, _ found: inout [AMDEvent]) {
        guard result == nil else { return }
        let decided = AMDResult(verdict: verdict, cause: cause, decisionMs: elapsedMs, beep: beep, evidence: evidenceNow)
        result = decided
        found.append(.verdict(decided))
    }

    private func revise(_ cause: String, _ found: inout [AMDEvent]) {
        let revised = AMDResult(verdict: .machine, cause: cause, decisionMs: elapsedMs, beep: beep, evidence: evidenceNow)
        result = revised
        found.append(.revised(revised))
    }

    private func seconds(_ ms: Int) -> String {
        let tenths = (ms + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
