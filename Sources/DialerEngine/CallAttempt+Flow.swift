import Foundation
import Media
import SIPCore

/// The verbs of a call flow, run on an answered call (see `CallFlow`).
extension CallAttempt {
    /// Runs `verbs` in order; false when the call ended or a verb ended it.
    func run(_ verbs: [CallFlow.Verb]) async -> Bool {
        for (index, verb) in verbs.enumerated() {
            guard !ended, !bridged else { return false }
            switch verb {
            case .say(let speech):
                guard let audio = await speechAudio(speech) else { continue }
                guard await play(audio, repeatCount: speech.repeatCount) else { return false }
            case .play(let id, let repeatCount):
                guard let audio = recordingAudio(id) else { continue }
                guard await play(audio, repeatCount: repeatCount) else { return false }
            case .pause(let seconds):
                guard await pause(seconds) else { return false }
            case .gather(let gather):
                guard await run(gather) else { return false }
            case .record(let maxSeconds):
                // The recording runs for the whole answered call; this waits for the far end
                // to speak, until `maxSeconds` pass or it presses '#'.
                pendingDigits.removeAll()
                let token = startTimer(maxSeconds)
                while !ended {
                    let done = await wait(stopOnDigit: true) { if case .timer(token) = $0 { true } else { false } }
                    guard done else { return false }
                    if pendingDigits.isEmpty || pendingDigits.last == "#" { break }
                }
                pendingDigits.removeAll()
            case .transfer(let to):
                referTo(to)
                _ = await wait { _ in false }
                return false
            case .dial(let to, let ringTimeout):
                guard await dial(to, ringTimeout: ringTimeout) else { return false }
            case .hangup:
                endCall()
                return false
            case .amd(let step):
                guard await run(step) else { return false }
            case .waitForBeep(let timeout):
                guard await waitForBeep(timeout: timeout, then: verbs[(index + 1)...]) else { return false }
            case .fax(let document, let step):
                // A fax ends its flow: T.30 closes with DCN, and the call's audio is gone.
                if let path = faxDocument(document) { await runFax(step, role: .send(document: path)) }
                endCall()
                return false
            case .receiveFax(let step):
                await runFax(step, role: .receive(into: newReceivedFaxPath()))
                endCall()
                return false
            }
        }
        return true
    }

    /// Plays `audio`; true once played, false when the call ended. With `bargeIn`, a digit
    /// stops it (true).
    func play(_ audio: WAVAudio, repeatCount: Int, bargeIn: Bool = false) async -> Bool {
        nextToken += 1
        let token = nextToken
        let signals = self.signals
        media?.play(audio, repeatCount: repeatCount) { signals.yield(.played(token)) }
        let finished = await wait(stopOnDigit: bargeIn) { if case .played(token) = $0 { true } else { false } }
        if finished, bargeIn, !pendingDigits.isEmpty { media?.stopPlaying() }
        return finished
    }

    func pause(_ seconds: Double) async -> Bool {
        let token = startTimer(seconds)
        return await wait { if case .timer(token) = $0 { true } else { false } }
    }

    /// Prompt, then digits until `maxDigits`, the terminator, or `timeout` seconds without
    /// one; the prompt is played again `retries` times while nothing usable came. The answer
    /// is stored under the gather's name and its branch, if any, runs.
    func run(_ gather: CallFlow.Gather) async -> Bool {
        for _ in 0...gather.retries {
            pendingDigits.removeAll()
            for verb in gather.prompt {
                guard !ended else { return false }
                switch verb {
                case .say(let speech):
                    if let audio = await speechAudio(speech), !(await play(audio, repeatCount: speech.repeatCount, bargeIn: true)) { return false }
                case .play(let id, let repeatCount):
                    if let audio = recordingAudio(id), !(await play(audio, repeatCount: repeatCount, bargeIn: true)) { return false }
                default:
                    guard await run([verb]) else { return false }
                }
                if !pendingDigits.isEmpty { break }
            }
            guard let answer = await collectDigits(gather) else { return false }
            if answer.isEmpty || (!gather.branches.isEmpty && gather.branches[answer] == nil) { continue }
            record.answers[gather.name] = answer
            if let branch = gather.branches[answer] { return await run(branch) }
            return true
        }
        return true
    }

    /// The digits of one answer ("" when none came in time); nil when the call ended.
    private func collectDigits(_ gather: CallFlow.Gather) async -> String? {
        var answer = ""
        while true {
            while let digit = pendingDigits.first {
                pendingDigits.removeFirst()
                if digit == gather.terminator { return answer }
                answer.append(digit)
                if answer.count >= gather.maxDigits { return answer }
            }
            let token = startTimer(gather.timeout)
            guard await wait(stopOnDigit: true, until: { if case .timer(token) = $0 { true } else { false } }) else { return nil }
            if pendingDigits.isEmpty { return answer }
        }
    }

    private func speechAudio(_ speech: CallFlow.Speech) async -> WAVAudio? {
        do { return try await context.prompts.audio(for: speech, fields: plan.fields) } catch {
            context.logger.error("say failed", metadata: ["call_id": "\(record.sipCallID ?? "")", "error": "\(error)"])
            return nil
        }
    }

    private func recordingAudio(_ id: String) -> WAVAudio? {
        do { return try context.prompts.audio(recording: id) } catch {
            context.logger.error("play failed", metadata: ["call_id": "\(record.sipCallID ?? "")", "error": "\(error)"])
            return nil
        }
    }

    /// REFER to a sip: URI, or to a number through the call's trunk.
    func referTo(_ destination: String) {
        call?.transfer(to: target(of: destination))
    }

    /// Where a transfer or second call goes: a sip:/sips: URI as written, else a number
    /// through this call's trunk.
    func target(of destination: String) -> SIPURI {
        (try? SIPURI(parsing: destination)).flatMap { $0.scheme == .sip || $0.scheme == .sips ? $0 : nil }
            ?? plan.route.target(destination)
    }
}
