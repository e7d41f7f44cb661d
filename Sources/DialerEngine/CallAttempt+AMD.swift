import Foundation
import Media

/// Answering-machine detection on a call (issue #22): the `amd` verb listens to who answered
/// and runs the verbs of the verdict (or, when the network played a special information
/// tone or ringback after the answer, ends the call with that disposition); `wait_for_beep`
/// holds a voicemail message until the machine's beep has ended (or its greeting, when no
/// beep comes), so the message is recorded whole. The verdict, its revision, the beep and when the message started go in the CDR's
/// `amd`.
extension CallAttempt {
    /// What the detector said on this call so far.
    struct AMDState {
        var startedAt: ContinuousClock.Instant
        var result: AMDResult?
        var revised = false
        var beep: AMDBeep?
        var greetingEnded = false
        /// Ms after detection started that the message after `wait_for_beep` started.
        var messageStartedMs: Int?
    }

    /// The CDR's `amd`: the verdict (revised when it was) with its cause and evidence, the
    /// beep, whether it was revised and when a message started.
    struct AMDRecord: Encodable {
        var result: AMDResult
        var revised: Bool
        var messageStartedMs: Int?

        enum Keys: String, CodingKey { case revised, messageStartedMs }

        func encode(to encoder: Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(revised, forKey: .revised)
            try container.encode(messageStartedMs, forKey: .messageStartedMs)
        }
    }

    /// Starts the detector on the answered call's audio, once; false when there is no audio.
    /// `keepAudio`: what it hears, up to `timeout` + 5 s, becomes the CDR's `amd_audio`.
    func startAMD(timeout: Double, keepAudio: Bool = false) -> Bool {
        if amd != nil { return true }
        var settings = AMDSettings()
        settings.timeout = timeout
        let signals = self.signals
        guard let media, media.startAMD(settings, keepSeconds: keepAudio ? timeout + 5 : 0, onEvent: { signals.yield(.amd($0)) }) else { return false }
        amd = AMDState(startedAt: .now)
        return true
    }

    /// What a detector event means for the call.
    func take(_ event: AMDEvent) {
        guard var state = amd else { return }
        switch event {
        case .verdict(let result):
            state.result = result
            onVerdict(result, false)
        case .revised(let result):
            state.result = result
            state.revised = true
            onVerdict(result, true)
        case .beep(let beep):
            state.beep = beep
            state.result?.beep = beep
        case .greetingEnded: state.greetingEnded = true
        case .specialInformationTone: break
        }
        amd = state
    }

    /// Early media on a call whose flow begins with detection (issue #22 item 5): until the
    /// answer the detector listens for the network's special information tone, and one ends
    /// the call at once (CANCEL) with the tone's disposition. Ringback, music and
    /// announcements without a tone are what a ringing call may sound like: they change nothing.
    func startEarlyDetection() {
        guard !earlyDetection, amd == nil, case .amd? = plan.flow.verbs.first else { return }
        var settings = AMDSettings()
        settings.listensUntilStopped = true
        let signals = self.signals
        earlyDetection = media?.startAMD(settings, onEvent: { signals.yield(.earlyAMD($0)) }) == true
    }

    /// The call was answered (or ended): early media's detector stops; the flow's starts afresh.
    func stopEarlyDetection() {
        guard earlyDetection else { return }
        earlyDetection = false
        media?.stopAMD()
    }

    /// What early media's detector heard: a special information tone ends the call.
    func takeEarly(_ event: AMDEvent) {
        guard earlyDetection, record.answeredAt == nil, case .specialInformationTone(var result) = event,
              let tone = result.evidence.specialInformationTone else { return }
        result.cause = "special information tone in early media (\(tone.rawValue))"
        amd = AMDState(startedAt: .now, result: result)
        stopEarlyDetection()
        endForNetworkTone(disposition: tone.disposition, cause: result.cause)
    }

    /// Issue #22 item 5: the network answered with a tone, nobody is there: the call ends
    /// and its CDR takes the tone's disposition and cause.
    private func endForNetworkTone(disposition: String, cause: String) {
        record.networkTone = (disposition, cause)
        endCall()
    }

    /// The `amd` verb: waits for the verdict (the detector decides by `timeout` at the latest)
    /// and runs its verbs; false when the call ended. A person's verbs give way to the
    /// machine's when the verdict is revised while they run.
    func run(_ step: CallFlow.AMDStep) async -> Bool {
        guard startAMD(timeout: step.timeout, keepAudio: step.keepAudio) else { return true }
        let token = startTimer(step.timeout + 1)
        guard await wait(until: { signal in
            if case .timer(token) = signal { return true }
            if case .amd = signal { return self.amd?.result != nil }
            return false
        }) else { return false }
        let verdict = amd?.result?.verdict.rawValue ?? "notsure"
        context.logger.debug("amd verdict", metadata: ["call_id": "\(record.sipCallID ?? "")", "verdict": "\(verdict)",
                                                        "cause": "\(amd?.result?.cause ?? "timeout")"])
        if let result = amd?.result, let disposition = result.callProgressDisposition {
            endForNetworkTone(disposition: disposition, cause: result.cause)
            return false
        }
        let verbs = step.verbs(for: verdict), machine = step.verbs(for: "machine")
        guard verdict == "human" || verdict == "notsure", machine != verbs else { return await run(verbs) }
        // A machine taken for a person at first (its greeting paused after a few words): when
        // the detector revises the verdict while the person's verbs run, they stop and the
        // machine's run instead (wait for the beep, leave the message).
        interruptOnRevision = true
        let finished = await run(verbs)
        interruptOnRevision = false
        guard interruptedByRevision, !ended else { return finished }
        interruptedByRevision = false
        media?.stopPlaying()
        context.logger.debug("amd verdict revised during the flow", metadata: ["call_id": "\(record.sipCallID ?? "")", "cause": "\(amd?.result?.cause ?? "")"])
        return await run(machine)
    }

    /// The `wait_for_beep` verb; false when the call ended. The speech of the verbs that
    /// follow it (the message) is rendered while the machine still talks, so the message
    /// starts at the beep's end rather than a rendering later; `messageStartedMs` is taken
    /// once it is ready to play.
    func waitForBeep(timeout: Double, then message: ArraySlice<CallFlow.Verb>) async -> Bool {
        guard startAMD(timeout: 8) else { return true }
        let speech = message.compactMap { verb -> CallFlow.Speech? in if case .say(let s) = verb { s } else { nil } }
        let (prompts, fields) = (context.prompts, plan.fields)
        let rendering = Task { for s in speech { _ = try? await prompts.audio(for: s, fields: fields) } }
        let token = startTimer(timeout)
        guard await wait(until: { signal in
            if case .timer(token) = signal { return true }
            if case .amd = signal { return self.amd?.beep != nil || self.amd?.greetingEnded == true }
            return false
        }) else {
            rendering.cancel()
            return false
        }
        await rendering.value
        if let started = amd?.startedAt {
            let elapsed = (ContinuousClock.now - started).components
            amd?.messageStartedMs = Int(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
        }
        return true
    }

    /// Writes what the detector kept to a WAV beside the call recordings; its path, or nil.
    func writeAMDAudio() -> String? {
        guard let heard = media?.amdHeard else { return nil }
        let path = context.recordingDirectory.appendingPathComponent("\(UUID().uuidString.lowercased())-amd.wav").path
        do {
            try WAVWriter.write(path: path, channels: [heard], sampleRate: AnsweringMachineDetector.sampleRate)
            return path
        } catch {
            context.logger.warning("amd audio not written", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
    }

    /// The CDR's `amd` as JSON, when the call ran the detector.
    var amdJSON: String? {
        guard let state = amd, let result = state.result,
              let data = try? JSONEncoder.snakeCase.encode(AMDRecord(result: result, revised: state.revised, messageStartedMs: state.messageStartedMs))
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
