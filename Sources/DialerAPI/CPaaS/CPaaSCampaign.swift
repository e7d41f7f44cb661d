import DialerEngine
import DialerStore
import Foundation

/// The seed's `create_campaign` onto a sipdial campaign, and back for `get_campaign_details`.
///
/// - `campaign_type` 0: an announcement: `announcement_text` spoken (`dynamic_announcement`
///   1, `{field1}` filled from the contact's fields) or the stored recording named
///   `recorded_filename` played (0), `repeat` (or `repeat_count`) times. Type 1 (survey):
///   the same announcement, then one digit gathered (kept as the CDR's answer `response`).
/// - `max_retries` (or `retry_attempts`) more tries after `retry_time` seconds, for the
///   statuses in `retry_on_statuses` (NOANSWER, BUSY, CONGESTION, CHANUNAVAIL, FAILED;
///   default all of them).
/// - `campaign_start_date`/`campaign_end_date` in `time_zone`; the campaign starts at once
///   and dials inside them (the seed has no separate start call).
enum CPaaSCampaign {
    static let retryStatuses: [String: String] = [
        "noanswer": "no_answer", "no_answer": "no_answer", "busy": "busy", "congestion": "congestion",
        "chanunavail": "channel_unavailable", "failed": "failed",
    ]

    /// Status codes of `get_campaign_details`.
    static let statusCodes = ["draft": "0", "running": "1", "paused": "2", "completed": "3", "stopped": "4"]

    static func create(_ body: CPaaS.Body, store: DialerStore) throws -> Campaign {
        let listID = try body.required("list_id")
        guard try store.contactList(id: listID) != nil else { throw CPaaS.Failure.notFound("list", listID, field: "list_id") }
        let dndID = try body.string("dnd_list_id")
        if let dndID, try store.doNotCallList(id: dndID) == nil { throw CPaaS.Failure.notFound("DND list", dndID, field: "dnd_list_id") }
        let type = try body.choice("campaign_type", ["0": "announcement", "1": "survey"], default: "announcement")
        let dynamic = try body.choice("dynamic_announcement", ["0": false, "1": true], default: true)
        let repeats = try body.int("repeat", in: 1...20) ?? body.int("repeat_count", in: 1...20) ?? 1
        var announcement: [String: JSONValue]
        if dynamic {
            announcement = try CPaaS.speech(body)
            announcement["verb"] = .string("say")
            announcement["text"] = .string(try body.required("announcement_text"))
        } else {
            let name = try body.required("recorded_filename")
            let stem = (name as NSString).deletingPathExtension
            guard let recording = try store.recordings().first(where: { $0.name == name || $0.name == stem }) else {
                throw CPaaS.Failure.notFound("recording (POST /v1/recordings?name=...) named", name, field: "recorded_filename")
            }
            announcement = ["verb": .string("play"), "recording": .string(recording.id)]
        }
        announcement["repeat"] = .number(Double(repeats))
        var flow: [JSONValue] = [.object(announcement)]
        if type == "survey" {
            flow.append(.object(["verb": .string("gather"), "name": .string("response"), "max_digits": .number(1), "timeout": .number(5)]))
        }
        let rate = Double(try body.int("calls_per_minute", in: 1...60_000) ?? 10)
        let retries = try body.int("max_retries", in: 0...10) ?? body.int("retry_attempts", in: 0...10) ?? 0
        let retryTime = Double(try body.int("retry_time", in: 0...2_592_000) ?? 300)
        var statuses = Array(Set(retryStatuses.values))
        if let names = try body.string("retry_on_statuses") {
            statuses = try names.split(separator: ",").map { name in
                let key = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "")
                guard let status = retryStatuses[key] else { throw CPaaS.Failure.invalid("retry_on_statuses", "'\(name)' is not one of NOANSWER, BUSY, CONGESTION, CHANUNAVAIL, FAILED") }
                return status
            }
        }
        let zone = try body.zone("time_zone")
        let now = Date().timeIntervalSince1970
        var campaign = Campaign(id: UUID().uuidString.lowercased(), name: try body.required("campaign_name"), kind: type, status: "running",
                                flow: JSONValue.array(flow).text, callsPerMinute: rate, maxConcurrent: max(5, min(500, Int(rate))),
                                maxAttempts: 1 + retries, now: now)
        campaign.callerId = try body.string("campaign_caller_id").map { try PhoneNumber.normalize($0, field: "campaign_caller_id") }
        campaign.retryPolicy = JSONValue.object(Dictionary(uniqueKeysWithValues: statuses.map { ($0, JSONValue.number(retryTime)) })).text
        campaign.timeZone = zone.identifier
        campaign.startsAt = try body.time("campaign_start_date", zone: zone)
        campaign.endsAt = try body.time("campaign_end_date", zone: zone)
        if let start = campaign.startsAt, let end = campaign.endsAt, end <= start {
            throw CPaaS.Failure.invalid("campaign_end_date", "must be after campaign_start_date")
        }
        campaign.dndListIds = dndID ?? ""
        _ = try CampaignFields.flow(.array(flow), store: store)
        try store.insert(campaign)
        _ = try store.enqueue(listID: listID, campaignID: campaign.id, priority: 0, dueAt: now, now: now)
        return campaign
    }

    /// A campaign as `get_campaign_details` lists it.
    static func details(_ c: Campaign) -> JSONValue {
        let policy = JSONValue(parsing: c.retryPolicy)
        var retryTime = ""
        if case .object(let delays)? = policy, let first = delays.values.first, case .number(let n) = first { retryTime = String(Int(n)) }
        var repeats = "1"
        if case .array(let verbs)? = JSONValue(parsing: c.flow), case .object(let first)? = verbs.first, case .number(let n)? = first["repeat"] {
            repeats = String(Int(n))
        }
        return .object([
            "campaign_id": .string(c.id), "campaign_name": .string(c.name),
            "campaign_type": .string(c.kind == "survey" || c.kind == "ivr" ? "1" : "0"),
            "campaign_status": .string(statusCodes[c.status] ?? "0"), "campaign_caller_id": c.callerId.map(JSONValue.string) ?? .string(""),
            "calls_per_minute": .string(String(Int(c.callsPerMinute))), "max_retries": .string(String(c.maxAttempts - 1)),
            "retry_time": .string(retryTime), "repeat_announcement_count": .string(repeats),
            "campaign_start_date": CPaaS.httpDate(c.startsAt), "campaign_end_date": CPaaS.httpDate(c.endsAt),
            "time_zone": .string(c.timeZone),
        ])
    }
}
