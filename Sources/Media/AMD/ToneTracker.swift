/// Follows single tones through the frames' tone measurements (`AudioFrameFeatures`) and
/// says what they are: a beep (one stable tone of 350-2,300 Hz lasting 120 ms to 3 s that no
/// other tone follows at once, reported at its end), or a special information tone
/// (three tones in a row at the frequencies of ITU-T E.180 / Telcordia SR-2275). Ringback and
/// DTMF never get here (two tones at once are not tone frames); a fax's CNG (1,100 Hz for
/// 0.5 s) and CED (2,100 Hz for seconds) are left to spandsp's detector (`FaxToneDetector`).
/// Time is in milliseconds of audio, 20 ms per frame.
struct ToneTracker {
    /// One tone, from its first frame to its last.
    struct Run: Equatable {
        var start: Int
        var end: Int
        var frequency: Double
        var frames: Int
        var duration: Int { end - start }
    }

    enum Finding: Equatable {
        case beep(Run)
        case specialInformation(SpecialInformationTone, at: Int)
    }

    /// A run may miss this many frames in a row (the frame where one tone gives way to the
    /// next, a lost packet) and go on.
    static let toleratedMisses = 2
    /// How long after a run no tone may follow for it to be a beep: a SIT's segments follow
    /// at once, and the same tone coming back this soon (noise, a lost packet broke it) is
    /// the same beep. A message left at the confirmation starts well within 300 ms of the end.
    static let confirmation = 160
    /// Runs this close together may be one SIT.
    static let sequenceGap = 80
    static let beepFrequencies = 350.0...2300.0
    static let beepDurations = 120...3000

    private var current: (start: Int, lastTone: Int, sum: Double, frames: Int)?
    private var misses = 0
    /// Runs just ended, for the SIT sequence (at most three).
    private var recent: [Run] = []
    /// A run that is a beep unless a tone starts within `confirmation`.
    private var candidate: Run?
    /// When the last special information tone ended.
    private var informationToneEnd: Int?

    /// Takes one frame starting at `time` ms; returns what was found (at most one thing).
    mutating func feed(tone frequency: Double?, at time: Int) -> Finding? {
        if let frequency {
            if var run = current, Self.continues(run.sum / Double(run.frames), with: frequency) {
                run.lastTone = time
                run.sum += frequency
                run.frames += 1
                current = run
                misses = 0
                return nil
            }
            let ended = endCurrent()
            misses = 0
            if let beep = candidate, Self.continues(beep.frequency, with: frequency), time - beep.end <= Self.confirmation {
                // The same tone again after a short break: still the one beep.
                if recent.last == beep { recent.removeLast() }
                current = (beep.start, time, beep.frequency * Double(beep.frames) + frequency, beep.frames + 1)
                candidate = nil
                return ended
            }
            current = (time, time, frequency, 1)
            // A tone right after another: the earlier one was no beep.
            candidate = nil
            return ended
        }
        guard current != nil else { return confirmCandidate(at: time) }
        misses += 1
        guard misses > Self.toleratedMisses else { return nil }
        return endCurrent() ?? confirmCandidate(at: time)
    }

    private static func continues(_ mean: Double, with frequency: Double) -> Bool {
        abs(frequency - mean) <= max(15, mean * 0.02)
    }

    /// Ends the run under way: it completes a SIT, or may be a beep.
    private mutating func endCurrent() -> Finding? {
        guard let run = current else { return nil }
        current = nil
        misses = 0
        let finished = Run(start: run.start, end: run.lastTone + 20, frequency: run.sum / Double(run.frames), frames: run.frames)
        guard finished.duration >= 80 else { return nil }
        if let last = recent.last, finished.start - last.end > Self.sequenceGap { recent.removeAll() }
        recent.append(finished)
        if recent.count > 3 { recent.removeFirst() }
        if recent.count == 3, let kind = SpecialInformationTone(recent) {
            recent.removeAll()
            informationToneEnd = finished.end
            return .specialInformation(kind, at: finished.end)
        }
        // The rest of a SIT's last tone, cut by a lost frame, is no beep.
        if let end = informationToneEnd, finished.start - end < 1000 { return nil }
        if Self.beepFrequencies.contains(finished.frequency), Self.beepDurations.contains(finished.duration), !Self.isFaxTone(finished) {
            candidate = finished
        }
        return nil
    }

    private mutating func confirmCandidate(at time: Int) -> Finding? {
        guard let beep = candidate, time - beep.end >= Self.confirmation else { return nil }
        candidate = nil
        return .beep(beep)
    }

    /// CNG (1,100 Hz, 0.5 s) and CED (2,100 Hz, 2.6 s and more) are the fax detector's.
    private static func isFaxTone(_ run: Run) -> Bool {
        (abs(run.frequency - 1100) <= 40 && (400...650).contains(run.duration))
            || (abs(run.frequency - 2100) <= 40 && run.duration >= 2000)
    }
}

/// The special information tones (ITU-T E.180 §6, Telcordia SR-2275 §6.21): three tones of
/// 913.8 (low) or 985.2 Hz (high), 1,370.6 (low) or 1,428.5 Hz (high), then 1,776.7 Hz, the
/// first two short (274 ms) or long (380 ms); their choice says why the call failed:
/// IC short-short low-low, VC long-short high-low, RO short-long low-high (RO' high-low),
/// NC long-long low-low (NC' high-high), IO long-short low-high.
public enum SpecialInformationTone: String, Sendable, Codable, Equatable {
    /// IC: the number is not in service (intercept).
    case vacantCode = "vacant-code"
    /// VC: a code that is not assigned.
    case unassignedCode = "unassigned-code"
    /// RO and RO': the network is congested (reorder).
    case reorder
    /// NC and NC': no circuit was found.
    case noCircuit = "no-circuit"
    /// IO: ineffective for another reason.
    case ineffectiveOther = "ineffective-other"

    /// The disposition a call ending on this tone gets.
    public var disposition: String {
        switch self {
        case .vacantCode, .unassignedCode: "invalid_number"
        case .reorder, .noCircuit, .ineffectiveOther: "congestion"
        }
    }

    /// The tone three consecutive runs make, if any.
    init?(_ runs: [ToneTracker.Run]) {
        guard runs.count == 3, runs.allSatisfy({ (200...480).contains($0.duration) }) else { return nil }
        func near(_ f: Double, _ target: Double) -> Bool { abs(f - target) <= target * 0.025 }
        let (first, second, third) = (runs[0], runs[1], runs[2])
        guard near(third.frequency, 1776.7) else { return nil }
        let firstHigh: Bool
        if near(first.frequency, 913.8) { firstHigh = false } else if near(first.frequency, 985.2) { firstHigh = true } else { return nil }
        let secondHigh: Bool
        if near(second.frequency, 1370.6) { secondHigh = false } else if near(second.frequency, 1428.5) { secondHigh = true } else { return nil }
        let firstLong = first.duration > 327, secondLong = second.duration > 327
        switch (firstHigh, firstLong, secondHigh, secondLong) {
        case (false, false, false, false): self = .vacantCode
        case (true, true, false, false): self = .unassignedCode
        case (false, false, true, true), (true, false, false, true): self = .reorder
        case (false, true, false, true), (true, true, true, true): self = .noCircuit
        case (false, true, true, false): self = .ineffectiveOther
        default: return nil
        }
    }
}
