import DialerStore
import Foundation
import Media

/// A click-to-call the API places: the agent is called first; once the agent answers, the
/// customer is called and the two are bridged.
public struct ClickToCall: Sendable {
    /// The agent: a number dialed through the trunk, or a `sip:` URI called directly.
    public var agent: String
    public var customer: String
    public var recording: Recording
    public var trunkID: String?
    /// What the customer sees.
    public var callerID: String?
    /// What the agent sees; nil: the trunk's caller ID.
    public var agentCallerID: String?
    public var ringTimeout: Double
    public var idempotencyKey: String?
    public var statusCallback: String?

    /// Who is kept in the recording: nobody, one side (mono), or both (agent left, customer right).
    public enum Recording: String, Sendable, CaseIterable {
        case off, agent, customer, both
    }

    public init(agent: String, customer: String, recording: Recording = .off, trunkID: String? = nil, callerID: String? = nil,
                agentCallerID: String? = nil, ringTimeout: Double = 30, idempotencyKey: String? = nil, statusCallback: String? = nil) {
        (self.agent, self.customer, self.recording, self.trunkID) = (agent, customer, recording, trunkID)
        (self.callerID, self.agentCallerID, self.ringTimeout) = (callerID, agentCallerID, ringTimeout)
        (self.idempotencyKey, self.statusCallback) = (idempotencyKey, statusCallback)
    }

    /// The CDR: the customer's leg when it was called (the agent's otherwise, its reason
    /// saying so), the agent's leg in `answers`, the customer's DTMF, the recording as asked.
    func cdr(attempt: Attempt, outcome: CallBridge.Outcome?, failure: String?, recordingDirectory: URL) -> CDR {
        let now = Date().timeIntervalSince1970
        let agentLeg = outcome?.legs.first
        let customerLeg = (outcome?.legs.count ?? 0) > 1 ? outcome?.legs[1] : nil
        let result = customerLeg?.result ?? agentLeg?.result
        var reason = result?.reason ?? failure
        if customerLeg == nil { reason = "agent leg: " + (agentLeg.map { $0.result.reason ?? $0.result.outcome.name } ?? failure ?? "not placed") }
        var cdr = CDR(attemptId: attempt.id, campaignId: nil, phone: customer, outcome: result?.outcome.name ?? "unreachable",
                      sipCode: result?.sipCode, q850Cause: result?.q850?.cause, reason: reason, startedAt: attempt.startedAt,
                      answeredAt: outcome?.answeredAt, endedAt: now)
        cdr.sipCallId = customerLeg?.callID ?? agentLeg?.callID
        cdr.dtmf = customerLeg.flatMap { $0.digits.isEmpty ? nil : $0.digits }
        var answers: [String: String] = ["agent": agent]
        if let agentLeg {
            answers["agent_outcome"] = agentLeg.result.outcome.name
            answers["agent_sip_call_id"] = agentLeg.callID
            if !agentLeg.digits.isEmpty { answers["agent_dtmf"] = agentLeg.digits }
        }
        cdr.answers = JSONValue.object(answers.mapValues(JSONValue.string)).text
        if let rtp = customerLeg?.rtp, let data = try? JSONEncoder.snakeCase.encode(rtp) { cdr.rtp = String(decoding: data, as: UTF8.self) }
        if let channels = outcome?.recording, outcome?.answeredAt != nil {
            let kept: [[Int16]] = switch recording {
            case .off: []
            case .agent: [channels[0]]
            case .customer: [channels[1]]
            case .both: channels
            }
            if !kept.isEmpty {
                let path = recordingDirectory.appendingPathComponent("\(attempt.id).wav").path
                if (try? WAVWriter.write(path: path, channels: kept, sampleRate: outcome?.sampleRate ?? AudioFormat.sampleRate)) != nil { cdr.recording = path }
            }
        }
        return cdr
    }
}
