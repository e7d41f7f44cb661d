import DialerEngine
import DialerStore
import Foundation

/// The settings of a campaign a client sends on create (`POST /v1/campaigns`) and update
/// (`PATCH /v1/campaigns/:id`, only the fields sent change). Each is checked; the first
/// problem is a 400 naming its field.
struct CampaignFields: Decodable {
    var name, kind, trunkId, callerId, startsAt, endsAt, timeZone, dailyStart, dailyEnd, statusCallback: String?
    var callsPerMinute, ringTimeout: Double?
    var maxConcurrent, maxAttempts: Int?
    var weekdays: [String]?
    var useContactTimeZone: Bool?
    var flow: JSONValue?
    /// Answering-machine detection on every call (`CampaignAMD`'s JSON), or false for none.
    var amd: JSONValue?
    var retryPolicy: JSONValue?
    var dndListIds: [String]?

    static var kinds: [String] { ["announcement", "ivr", "survey", "otp", "fax"] }

    /// A new campaign from these fields (name, calls_per_minute and max_concurrent required).
    func newCampaign(store: DialerStore, now: Double) throws -> Campaign {
        guard name != nil else { throw APIError.missing("name") }
        guard callsPerMinute != nil else { throw APIError.missing("calls_per_minute") }
        guard maxConcurrent != nil else { throw APIError.missing("max_concurrent") }
        var campaign = Campaign(id: UUID().uuidString.lowercased(), name: "", callsPerMinute: 1, maxConcurrent: 1, now: now)
        try apply(to: &campaign, store: store)
        return campaign
    }

    func apply(to campaign: inout Campaign, store: DialerStore) throws {
        if let name {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError.invalid("name", "must not be empty") }
            campaign.name = name
        }
        if let kind {
            guard Self.kinds.contains(kind) else { throw APIError.invalid("kind", "must be one of \(Self.kinds.joined(separator: ", "))") }
            campaign.kind = kind
        }
        if let callsPerMinute {
            guard callsPerMinute > 0, callsPerMinute <= 60_000 else { throw APIError.invalid("calls_per_minute", "must be more than 0 and at most 60000") }
            campaign.callsPerMinute = callsPerMinute
        }
        if let maxConcurrent {
            guard (1...10_000).contains(maxConcurrent) else { throw APIError.invalid("max_concurrent", "must be 1 to 10000") }
            campaign.maxConcurrent = maxConcurrent
        }
        if let maxAttempts {
            guard (1...20).contains(maxAttempts) else { throw APIError.invalid("max_attempts", "must be 1 to 20") }
            campaign.maxAttempts = maxAttempts
        }
        if let ringTimeout {
            guard (5...300).contains(ringTimeout) else { throw APIError.invalid("ring_timeout", "must be 5 to 300 seconds") }
            campaign.ringTimeout = ringTimeout
        }
        if let trunkId {
            guard try store.trunk(id: trunkId) != nil else { throw APIError.invalid("trunk_id", "names no trunk") }
            campaign.trunkId = trunkId
        }
        if let callerId { campaign.callerId = try PhoneNumber.normalize(callerId, field: "caller_id") }
        if let statusCallback { campaign.statusCallback = statusCallback.isEmpty ? nil : try Self.callbackURL(statusCallback) }
        if let flow {
            _ = try Self.flow(flow, store: store)
            campaign.flow = flow.text
        }
        if let amd {
            if amd == .bool(false) {
                campaign.amd = nil
            } else {
                do { _ = try CampaignAMD(json: amd.text, exists: CallFlow.stored(in: store)) } catch { throw Self.apiError(error) }
                campaign.amd = amd.text
            }
        }
        if let retryPolicy {
            do { _ = try RetryPolicy(json: retryPolicy.text) } catch { throw APIError.invalid("retry_policy", error.message) }
            campaign.retryPolicy = retryPolicy.text
        }
        if let dndListIds {
            for id in dndListIds where try store.doNotCallList(id: id) == nil {
                throw APIError.invalid("dnd_list_ids", "names no do-not-call list '\(id)'")
            }
            campaign.dndListIds = dndListIds.joined(separator: ",")
        }
        try applyWindow(to: &campaign)
    }

    /// A status-callback URL: http or https with a host.
    static func callbackURL(_ text: String) throws -> String {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw APIError.invalid("status_callback", "must be an http or https URL")
        }
        return text
    }

    /// A posted flow, read and checked (`play` and `fax` must name stored recordings and documents); a
    /// problem is a 400 naming the verb's field (`flow[1].text`).
    static func flow(_ json: JSONValue, store: DialerStore) throws -> CallFlow {
        do { return try CallFlow(json: json.text, exists: CallFlow.stored(in: store)) } catch { throw apiError(error) }
    }

    /// A 400 naming the field of a flow's (or AMD setting's) problem.
    static func apiError(_ error: CallFlow.Invalid) -> APIError {
        error.message == "is missing" ? APIError.missing(error.field) : APIError.invalid(error.field, error.message)
    }

    /// The calling window: zone, dates, daily times, weekdays, checked together.
    private func applyWindow(to campaign: inout Campaign) throws {
        if let timeZone { campaign.timeZone = timeZone }
        guard let zone = TimeZone(identifier: campaign.timeZone) else { throw APIError.invalid("time_zone", "is not an IANA time zone name") }
        if let startsAt { campaign.startsAt = try CampaignTime.read(startsAt, zone: zone, field: "starts_at") }
        if let endsAt { campaign.endsAt = try CampaignTime.read(endsAt, zone: zone, field: "ends_at") }
        if let dailyStart { campaign.dailyStart = dailyStart.isEmpty ? nil : dailyStart }
        if let dailyEnd { campaign.dailyEnd = dailyEnd.isEmpty ? nil : dailyEnd }
        if let weekdays { campaign.weekdays = weekdays.joined(separator: ",") }
        if let useContactTimeZone { campaign.useContactTimeZone = useContactTimeZone }
        do {
            let window = try CallingWindow(startsAt: campaign.startsAt, endsAt: campaign.endsAt, timeZone: campaign.timeZone,
                                           dailyStart: campaign.dailyStart, dailyEnd: campaign.dailyEnd, weekdays: campaign.weekdays)
            campaign.weekdays = window.weekdays.isEmpty ? nil : window.weekdays.sorted().map(String.init).joined(separator: ",")
        } catch {
            throw APIError.invalid(error.field, error.message)
        }
    }
}

/// Date-times in the API: ISO 8601 with `Z` or an offset (`2026-11-23T09:00:00+01:00`), or
/// without one (`2026-11-23T09:00`, `2026-11-23 09:00:00`, or a date alone for its midnight),
/// read in the campaign's (or callback's) time zone. The formatters are made once per reader
/// (making one takes about a millisecond on Linux), so a batch of rows shares one reader.
struct CampaignTime {
    private static let localFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"]
    private let withOffset: ISO8601DateFormatter
    private let local: [DateFormatter]

    init(zone: TimeZone) {
        withOffset = ISO8601DateFormatter()
        withOffset.formatOptions = [.withInternetDateTime]
        local = Self.localFormats.map { format in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = format
            return formatter
        }
    }

    /// UTC seconds of `text`; nil when empty; a 400 naming `field` when it is no date-time.
    func read(_ text: String, field: String) throws -> Double? {
        if text.isEmpty { return nil }
        if let date = withOffset.date(from: text) { return date.timeIntervalSince1970 }
        for formatter in local {
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        throw APIError.invalid(field, "must be an ISO 8601 date-time (2026-11-23T09:00:00Z, or local to time_zone without an offset)")
    }

    static func read(_ text: String, zone: TimeZone, field: String) throws -> Double? {
        try CampaignTime(zone: zone).read(text, field: field)
    }
}
