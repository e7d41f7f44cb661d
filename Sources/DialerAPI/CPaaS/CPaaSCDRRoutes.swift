import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// The seed's CDR requests: by date range (with `record_count` and `offset`), by request id,
/// by campaign id, and the statistics overall and per campaign, in the seed's field names.
struct CPaaSCDRRoutes<Context: RequestContext> {
    let store: DialerStore
    /// The calls up now, when the dialer runs in this process.
    let liveCalls: LiveCalls?

    func add(to group: RouterGroup<Context>) {
        group.post("get_cdr_by_date") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            guard let from = try body.time("start_call_date", zone: .gmt) else { throw CPaaS.Failure.missing("start_call_date") }
            guard let through = try body.time("end_call_date", zone: .gmt) else { throw CPaaS.Failure.missing("end_call_date") }
            guard through >= from else { throw CPaaS.Failure.invalid("end_call_date", "must not be before start_call_date") }
            let count = try body.int("record_count", in: 1...10_000) ?? 1000
            let offset = try body.int("offset", in: 0...Int.max) ?? 0
            // The end date is inclusive: the whole of its day when it has no time.
            let end = (try body.required("end_call_date")).count <= 10 ? through + 86_400 : through
            let cdrs = try store.cdrs(CDRFilter(from: from, to: end), offset: offset, limit: count)
            return try found(cdrs)
        }
        group.post("get_cdr_by_request_id") { request, _ -> CPaaS.Response in
            let id = try await CPaaS.Body.read(request).required("request_id")
            var cdrs = try store.cdr(attemptID: id).map { [$0] } ?? []
            if cdrs.isEmpty { cdrs = try store.cdrs(callbackID: id) }
            // A call still up has no CDR yet: say so rather than "no cdr found".
            if cdrs.isEmpty, liveCalls?.call(id) != nil {
                return CPaaS.Response(["message": .string("call in progress: its cdr is written when it ends"), "call_status": .string("in progress"),
                                       "result": .array([])])
            }
            return try found(cdrs)
        }
        group.post("get_cdr_by_campaign_id") { request, _ -> CPaaS.Response in
            let id = try await CPaaS.Body.read(request).required("campaign_id")
            guard try store.campaign(id: id) != nil else { throw CPaaS.Failure.notFound("campaign", id, field: "campaign_id") }
            return try found(try store.cdrs(campaignID: id))
        }
        group.get("get_cdr_statistics") { _, _ -> CPaaS.Response in
            CPaaS.Response(["result": .object(CPaaSCDR.statistics(try store.statistics(CDRFilter()), dnd: false))])
        }
        group.post("get_campaign_cdr_statistics") { request, _ -> CPaaS.Response in
            let id = try await CPaaS.Body.read(request).required("campaign_id")
            guard try store.campaign(id: id) != nil else { throw CPaaS.Failure.notFound("campaign", id, field: "campaign_id") }
            return CPaaS.Response(["result": .object(CPaaSCDR.statistics(try store.statistics(CDRFilter(campaignID: id)), dnd: true))])
        }
    }

    private func found(_ cdrs: [CDR]) throws -> CPaaS.Response {
        let campaigns = Dictionary(uniqueKeysWithValues: try Set(cdrs.compactMap(\.campaignId)).compactMap { id in
            try store.campaign(id: id).map { (id, $0) }
        })
        return CPaaS.Response(["message": .string(cdrs.isEmpty ? "no cdr found" : "cdr found"),
                               "result": .array(cdrs.map { CPaaSCDR.row($0, campaign: $0.campaignId.flatMap { campaigns[$0] }) })])
    }
}

/// CDRs and statistics in the seed's field names.
enum CPaaSCDR {
    /// Counts as the seed shows them, each in a one-element array.
    static func statistics(_ s: CallStatistics, dnd: Bool) -> [String: JSONValue] {
        func n(_ value: Int) -> JSONValue { .array([.number(Double(value))]) }
        var result: [String: JSONValue] = [
            "answer_calls": n(s.answered), "busy_calls": n(s.busy), "cancel_calls": n(s.cancel), "chanunavail_calls": n(s.channelUnavailable),
            "congestion_calls": n(s.congestion), "noanswer_calls": n(s.noAnswer), "total_calls": n(s.total),
        ]
        if dnd { result["dnd_calls"] = n(s.dnd) }
        return result
    }

    /// `call_status` and `dial_status` by disposition (Asterisk's words, which the seed uses).
    static let statuses: [String: (call: String?, dial: String)] = [
        "answered": ("ANSWERED", "ANSWER"), "busy": ("BUSY", "BUSY"), "no_answer": ("NO ANSWER", "NOANSWER"), "cancel": ("CANCEL", "CANCEL"),
        "congestion": ("CONGESTION", "CONGESTION"), "channel_unavailable": ("CHANUNAVAIL", "CHANUNAVAIL"), "failed": ("FAILED", "FAILED"), "invalid_number": ("FAILED", "INVALIDNUMBER"),
        "dnd": (nil, "DND"), "interrupted": ("FAILED", "INTERRUPTED"),
    ]

    /// One CDR in the seed's shape.
    static func row(_ cdr: CDR, campaign: Campaign?) -> JSONValue {
        let status = statuses[cdr.disposition] ?? ("FAILED", "FAILED")
        var answers: [String: JSONValue] = [:]
        if case .object(let object)? = cdr.answers.flatMap(JSONValue.init(parsing:)) { answers = object }
        let agent: String = if case .string(let a)? = answers["agent"] { a } else { "" }
        let context = campaign.map { "campaign_type_" + ($0.kind == "survey" || $0.kind == "ivr" ? "1" : "0") } ?? (agent.isEmpty ? "outbound_call" : "click2call")
        var row: [String: JSONValue] = [
            "id": .string(cdr.id), "request_id": .string(campaign == nil ? cdr.attemptId ?? "" : ""), "uniqueid": .string(cdr.sipCallId ?? ""),
            "agent_number": .string(agent), "customer_number": .string(cdr.phone), "dialed_number": .string(cdr.phone),
            "caller_id": .string(campaign?.callerId ?? ""), "call_direction": .string(campaign == nil ? "outbound-api" : "outbound-campaign"),
            "destination_context": .string(context), "call_status": status.call.map(JSONValue.string) ?? .null, "dial_status": .string(status.dial),
            "call_date": CPaaS.httpDate(cdr.startedAt), "answer": CPaaS.httpDate(cdr.answeredAt), "end": CPaaS.httpDate(cdr.endedAt),
            "call_duration": cdr.disposition == "dnd" ? .null : .number(((cdr.endedAt - cdr.startedAt) * 1000).rounded() / 1000),
            "billsec": cdr.answeredAt.map { .number(((cdr.endedAt - $0) * 1000).rounded() / 1000) } ?? .null,
            "dtmf_inputs": .string(cdr.dtmf ?? ""), "recording_name": .string(cdr.recording.map { ($0 as NSString).lastPathComponent } ?? ""),
            "is_dnd": .string(cdr.disposition == "dnd" ? "1" : "0"),
        ]
        if let campaign { row["campaign_id"] = .string(campaign.id) }
        return .object(row)
    }
}
