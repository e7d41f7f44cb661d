import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// `/v1/callbacks`: calls scheduled for a time in a time zone (a customer asked to be called
/// back). Created, changed and cancelled while still scheduled; placed by the pacer when due
/// (through the same trunks and limits as every call); read back with their outcome and CDR.
struct CallbackRoutes<Context: RequestContext> {
    let store: DialerStore

    struct Fields: Decodable {
        var phone, at, timeZone, trunkId, callerId, statusCallback: String?
        var flow: JSONValue?
    }

    struct Body: ResponseEncodable {
        let callback: Callback
        var cdrs: [CDR] = []

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: APIKey.self)
            try c.encode(callback.id, forKey: "id")
            try c.encode(callback.phone, forKey: "phone")
            try c.encode(UTCTime.iso8601(callback.scheduledAt), forKey: "at")
            try c.encode(callback.timeZone, forKey: "timeZone")
            try c.encode(JSONValue(parsing: callback.flow) ?? .array([]), forKey: "flow")
            try c.encode(callback.status, forKey: "status")
            try c.encode(callback.lastOutcome, forKey: "lastOutcome")
            try c.encode(callback.trunkId, forKey: "trunkId")
            try c.encode(callback.callerId, forKey: "callerId")
            try c.encode(callback.statusCallback, forKey: "statusCallback")
            try c.encode(cdrs.map(CDRJSON.init), forKey: "cdrs")
        }
    }

    struct Page: ResponseEncodable {
        var callbacks: [Body]
        var nextCursor: String?
    }

    static var statuses: [String] { ["scheduled", "dialing", "done", "cancelled"] }

    func add(to group: RouterGroup<Context>) {
        group.post("callbacks") { request, context -> EditedResponse<Body> in
            let fields = try await JSONRequest.decode(Fields.self, from: request, context: context)
            guard fields.phone != nil else { throw APIError.missing("phone") }
            guard fields.at != nil else { throw APIError.missing("at") }
            let now = Date().timeIntervalSince1970
            var callback = Callback(phone: "", flow: "[]", scheduledAt: now, timeZone: "UTC", now: now)
            try apply(fields, to: &callback)
            try store.insert(callback)
            return EditedResponse(status: .created, response: Body(callback: callback))
        }
        group.get("callbacks") { request, _ -> Page in
            let status = request.uri.queryParameters.get("status")
            if let status, !Self.statuses.contains(status) { throw APIError.invalid("status", "must be one of \(Self.statuses.joined(separator: ", "))") }
            let limit = try PageLimit.read(request)
            let page = try store.callbacks(status: status, after: request.uri.queryParameters.get("cursor"), limit: limit)
            return Page(callbacks: page.map { Body(callback: $0) }, nextCursor: page.count == limit ? page.last?.id : nil)
        }
        group.get("callbacks/:id") { _, context -> Body in
            let callback = try existing(context)
            return Body(callback: callback, cdrs: try store.cdrs(callbackID: callback.id))
        }
        group.patch("callbacks/:id") { request, context -> Body in
            var callback = try existing(context)
            try apply(try await JSONRequest.decode(Fields.self, from: request, context: context), to: &callback)
            callback.updatedAt = Date().timeIntervalSince1970
            guard try store.updateScheduled(callback) else { throw Self.notScheduled(callback) }
            return Body(callback: callback)
        }
        group.delete("callbacks/:id") { _, context -> Body in
            var callback = try existing(context)
            callback.status = "cancelled"
            callback.updatedAt = Date().timeIntervalSince1970
            guard try store.updateScheduled(callback) else { throw Self.notScheduled(try existing(context)) }
            return Body(callback: callback)
        }
    }

    /// How far in the past a callback's time may be and still be taken (as "now"): the
    /// client's clock and ours may differ by this much. Earlier is a mistake the client must
    /// hear of, not a call placed at once.
    static var pastGrace: Double { 60 }

    /// Whether `time` is too far in the past for a callback.
    static func isPast(_ time: Double, now: Double = Date().timeIntervalSince1970) -> Bool {
        time < now - pastGrace
    }

    static func notScheduled(_ callback: Callback) -> APIError {
        APIError(.conflict, code: "invalid_state", message: "the callback is \(callback.status); only a scheduled one can change")
    }

    private func existing(_ context: Context) throws -> Callback {
        let id = try context.parameters.require("id")
        guard let callback = try store.callback(id: id) else { throw APIError.notFound("callback", id: id) }
        return callback
    }

    /// The fields sent, each checked; `at` is read in `time_zone` when it has no offset.
    private func apply(_ fields: Fields, to callback: inout Callback) throws {
        if let phone = fields.phone { callback.phone = try PhoneNumber.normalize(phone, field: "phone") }
        if let zone = fields.timeZone {
            guard TimeZone(identifier: zone) != nil else { throw APIError.invalid("time_zone", "is not an IANA time zone name") }
            callback.timeZone = zone
        }
        if let at = fields.at {
            guard let time = try CampaignTime.read(at, zone: TimeZone(identifier: callback.timeZone) ?? .gmt, field: "at") else { throw APIError.missing("at") }
            guard !Self.isPast(time) else { throw APIError.invalid("at", "is in the past (\(UTCTime.iso8601(time)))") }
            callback.scheduledAt = time
        }
        if let flow = fields.flow {
            _ = try CampaignFields.flow(flow, store: store)
            callback.flow = flow.text
        }
        if let trunkId = fields.trunkId {
            guard try store.trunk(id: trunkId) != nil else { throw APIError.invalid("trunk_id", "names no trunk") }
            callback.trunkId = trunkId
        }
        if let callerId = fields.callerId { callback.callerId = try PhoneNumber.normalize(callerId, field: "caller_id") }
        if let url = fields.statusCallback { callback.statusCallback = try CampaignFields.callbackURL(url) }
    }
}
