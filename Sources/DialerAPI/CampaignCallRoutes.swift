import DialerStore
import Foundation
import Hummingbird

/// `/v1/campaigns/{id}/calls` and `/v1/campaigns/{id}/lists`: what a campaign will dial —
/// single numbers with their priority and originate time, or every contact of a list — and
/// the queue read a page at a time, optionally by status (pending, dialing, done).
struct CampaignCallRoutes<Context: RequestContext> {
    let store: DialerStore

    /// A number to queue; `originate_at` is an API date-time (see `CampaignTime`)
    /// ("2026-11-24T09:30:00-05:00"), absent for now.
    struct NewCall: Decodable { var phone, originateAt: String?; var priority: Int? }

    struct NewCalls: Decodable { var calls: [NewCall]? }

    /// A list to queue, every contact with the same priority and originate time.
    struct NewListQueue: Decodable { var listId, originateAt: String?; var priority: Int? }

    struct Queued: ResponseEncodable { var queued: Int }

    struct Removed: ResponseEncodable { var removed: Int }

    struct CallBody: Encodable {
        var id, phone, status: String
        var priority, attempts: Int
        var dueAt: Date
        var lastOutcome: String?

        init(_ c: CampaignCall) {
            (id, phone, status, priority, attempts) = (c.id, c.phone, c.status, c.priority, c.attempts)
            dueAt = Date(timeIntervalSince1970: c.dueAt)
            lastOutcome = c.lastOutcome
        }
    }

    struct Page: ResponseEncodable {
        var calls: [CallBody]
        var nextCursor: String?
    }

    struct QueueResult: ResponseEncodable {
        var queued: Int
        var errors: [ImportRowError]
    }

    static var statuses: [String] { ["pending", "dialing", "done"] }

    /// `text` as a time, or a 400 naming `field`.
    /// When a queued call is due: `originate_at` read as every API date-time is (in the
    /// campaign's time zone when it has no offset), else now.
    static func due(_ text: String?, reader: CampaignTime, now: Double) throws -> Double {
        guard let text else { return now }
        return try reader.read(text, field: "originate_at") ?? now
    }

    /// The date-time reader of the campaign's zone.
    static func reader(_ campaign: Campaign) -> CampaignTime {
        CampaignTime(zone: TimeZone(identifier: campaign.timeZone) ?? .gmt)
    }

    func add(to group: RouterGroup<Context>) {
        group.post("campaigns/:id/calls") { request, context -> QueueResult in
            let campaign = try existing(context)
            guard let rows = try await JSONRequest.decode(NewCalls.self, from: request, context: context).calls else { throw APIError.missing("calls") }
            let now = Date().timeIntervalSince1970
            var calls: [CampaignCall] = []
            var errors: [ImportRowError] = []
            let reader = Self.reader(campaign)
            for (row, new) in rows.enumerated() {
                guard let phone = new.phone.flatMap(PhoneNumber.normalize) else {
                    errors.append(.init(row: row, field: "phone", message: new.phone == nil ? "'phone' is required" : "'\(new.phone!)' is not a phone number"))
                    continue
                }
                do {
                    let due = try Self.due(new.originateAt, reader: reader, now: now)
                    calls.append(CampaignCall(id: UUID().uuidString.lowercased(), campaignId: campaign.id, phone: phone,
                                              priority: new.priority ?? 0, dueAt: due, now: now))
                } catch let error as APIError {
                    errors.append(.init(row: row, field: error.field ?? "", message: error.message))
                }
            }
            try store.insert(calls)
            return QueueResult(queued: calls.count, errors: errors)
        }
        group.post("campaigns/:id/lists") { request, context -> Queued in
            let campaign = try existing(context)
            let new = try await JSONRequest.decode(NewListQueue.self, from: request, context: context)
            guard let listID = new.listId else { throw APIError.missing("list_id") }
            guard try store.contactList(id: listID) != nil else { throw APIError(.notFound, code: "not_found", message: "no list '\(listID)'", field: "list_id") }
            let now = Date().timeIntervalSince1970
            let due = try Self.due(new.originateAt, reader: Self.reader(campaign), now: now)
            return Queued(queued: try store.enqueue(listID: listID, campaignID: campaign.id, priority: new.priority ?? 0, dueAt: due, now: now))
        }
        group.patch("campaigns/:id/calls/:call") { request, context -> Response in
            let campaign = try existing(context)
            let id = try context.parameters.require("call")
            let change = try await JSONRequest.decode(NewCall.self, from: request, context: context)
            let now = Date().timeIntervalSince1970
            let due = try change.originateAt.map { try Self.due($0, reader: Self.reader(campaign), now: now) }
            switch try store.updatePendingCall(id: id, campaignID: campaign.id, priority: change.priority, dueAt: due, now: now) {
            case nil: throw APIError.notFound("call", id: id)
            case false?: throw APIError(.conflict, code: "invalid_state", message: "the call is no longer pending")
            case true?: return Response(status: .noContent)
            }
        }
        group.delete("campaigns/:id/calls/:call") { _, context -> Response in
            let campaign = try existing(context)
            let id = try context.parameters.require("call")
            switch try store.removePendingCall(id: id, campaignID: campaign.id) {
            case nil: throw APIError.notFound("call", id: id)
            case false?: throw APIError(.conflict, code: "invalid_state", message: "the call is being dialed or done")
            case true?: return Response(status: .noContent)
            }
        }
        group.delete("campaigns/:id/calls") { _, context -> Removed in
            Removed(removed: try store.clearPendingCalls(campaignID: try existing(context).id))
        }
        group.get("campaigns/:id/calls") { request, context -> Page in
            let campaign = try existing(context)
            let status = request.uri.queryParameters.get("status")
            if let status, !Self.statuses.contains(status) { throw APIError.invalid("status", "must be pending, dialing or done") }
            let limit = try PageLimit.read(request)
            let calls = try store.campaignCalls(campaignID: campaign.id, status: status, after: request.uri.queryParameters.get("cursor"), limit: limit)
            return Page(calls: calls.map(CallBody.init), nextCursor: calls.count == limit ? calls.last?.id : nil)
        }
    }

    private func existing(_ context: Context) throws -> Campaign {
        let id = try context.parameters.require("id")
        guard let campaign = try store.campaign(id: id) else { throw APIError.notFound("campaign", id: id) }
        return campaign
    }
}
