import DialerStore
import Foundation

/// A CDR as the API and the webhooks show it: the stored fields with times as ISO 8601,
/// the answered part's length, answers and RTP figures as JSON objects, and the recording
/// as the URL that serves it.
public struct CDRJSON: Encodable, Sendable {
    public let cdr: CDR

    public init(_ cdr: CDR) { self.cdr = cdr }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(cdr.id, forKey: Key("id"))
        try c.encode(cdr.attemptId, forKey: Key("attempt_id"))
        try c.encode(cdr.campaignId, forKey: Key("campaign_id"))
        try c.encode(cdr.phone, forKey: Key("phone"))
        try c.encode(cdr.trunkId, forKey: Key("trunk_id"))
        try c.encode(cdr.sipCallId, forKey: Key("sip_call_id"))
        try c.encode(cdr.outcome, forKey: Key("outcome"))
        try c.encode(cdr.disposition, forKey: Key("disposition"))
        try c.encode(cdr.sipCode, forKey: Key("sip_code"))
        try c.encode(cdr.q850Cause, forKey: Key("q850_cause"))
        try c.encode(cdr.reason, forKey: Key("reason"))
        try c.encode(UTCTime.iso8601(cdr.startedAt), forKey: Key("started_at"))
        try c.encode(UTCTime.iso8601(cdr.answeredAt), forKey: Key("answered_at"))
        try c.encode(UTCTime.iso8601(cdr.endedAt), forKey: Key("ended_at"))
        try c.encode(cdr.answeredAt.map { ((cdr.endedAt - $0) * 1000).rounded() / 1000 } ?? 0, forKey: Key("talk_seconds"))
        try c.encode(cdr.dtmf, forKey: Key("dtmf"))
        try c.encode(cdr.answers.flatMap(JSONValue.init(parsing:)), forKey: Key("answers"))
        try c.encode(cdr.recording.map { _ in "/v1/cdrs/\(cdr.id)/recording" }, forKey: Key("recording"))
        try c.encode(cdr.rtp.flatMap(JSONValue.init(parsing:)), forKey: Key("rtp"))
        try c.encode(cdr.amd.flatMap(JSONValue.init(parsing:)), forKey: Key("amd"))
        try c.encode(cdr.amdAudio.map { _ in "/v1/cdrs/\(cdr.id)/amd_audio" }, forKey: Key("amd_audio"))
        try c.encode(Self.fax(of: cdr), forKey: Key("fax"))
    }

    /// The fax result, with `file` where a received fax is served.
    private static func fax(of cdr: CDR) -> JSONValue? {
        guard case .object(var object)? = cdr.fax.flatMap(JSONValue.init(parsing:)) else { return nil }
        if cdr.faxFile != nil { object["file"] = .string("/v1/cdrs/\(cdr.id)/fax") }
        return .object(object)
    }
}
