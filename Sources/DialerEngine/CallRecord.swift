import DialerStore
import Fax
import Foundation
import Media
import SIPUserAgent

/// What one placed call came to, the CDR's contents.
public struct CallRecord: Sendable {
    public var sipCallID: String?
    public var result: CallResult
    public var startedAt: Double
    public var answeredAt: Double?
    public var endedAt: Double
    public var digits = ""
    /// Gather answers by name.
    public var answers: [String: String] = [:]
    public var recording: String?
    public var rtp: RTPStreamStatistics?
    /// The answering-machine detector's verdict as the CDR's `amd` JSON, when it ran.
    public var amd: String?
    /// What the detector heard, kept as a WAV (`keep_audio`).
    public var amdAudio: String?
    /// What the network said with a tone instead of a person answering (a special
    /// information tone, ringback after the 200 OK): the call's disposition
    /// (`invalid_number`, `congestion`, `no_answer`) and why, overriding `answered`.
    public var networkTone: (disposition: String, reason: String)?
    /// The fax a `fax` or `receive_fax` verb sent or received: T.30's result (a failure makes
    /// the outcome `fax-failed`), and where a received fax was written.
    public var fax: FaxResult?
    public var receivedFax: String?

    /// What overrides the call's own outcome, and why: a network tone, else a failed fax.
    private var override: (outcome: String, reason: String)? {
        if let networkTone { return (networkTone.disposition.replacingOccurrences(of: "_", with: "-"), networkTone.reason) }
        if let fax, !fax.success { return ("fax-failed", "fax: \(fax.text)") }
        return nil
    }

    /// The CDR of `attempt` (campaign calls) or of a call placed on its own.
    public func cdr(attemptID: String?, campaignID: String?, phone: String, trunkID: String?) -> CDR {
        let outcome = override?.outcome ?? result.outcome.name
        var cdr = CDR(attemptId: attemptID, campaignId: campaignID, phone: phone, outcome: outcome, sipCode: result.sipCode,
                      q850Cause: result.q850?.cause, reason: override?.reason ?? result.reason ?? Self.reason(result.outcome), startedAt: startedAt,
                      answeredAt: answeredAt, endedAt: endedAt)
        cdr.trunkId = trunkID
        cdr.sipCallId = sipCallID
        cdr.dtmf = digits.isEmpty ? nil : digits
        if !answers.isEmpty, let data = try? JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]) {
            cdr.answers = String(decoding: data, as: UTF8.self)
        }
        cdr.recording = recording
        cdr.amd = amd
        cdr.amdAudio = amdAudio
        cdr.fax = fax.map { String(decoding: $0.json, as: UTF8.self) }
        cdr.faxFile = receivedFax
        if let rtp, rtp.packetsSent + rtp.packetsReceived > 0, let data = try? JSONEncoder.snakeCase.encode(rtp) {
            cdr.rtp = String(decoding: data, as: UTF8.self)
        }
        return cdr
    }

    private static func reason(_ outcome: CallOutcome) -> String? {
        if case .unreachable(let why) = outcome { return why }
        return nil
    }
}
