import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// `/v1/campaigns`: create, list, read, update (only the fields sent) and move campaigns
/// through their lifecycle (start, pause, resume, stop); a campaign reads back with its
/// progress (calls by state) and statistics (CDRs by disposition).
struct CampaignRoutes<Context: RequestContext> {
    let store: DialerStore

    struct CampaignBody: ResponseEncodable {
        let campaign: Campaign
        var progress: [String: Int]?
        var statistics: CallStatistics?

        /// The stored fields with flow, AMD setting and retry policy as JSON, lists as arrays and times
        /// as ISO 8601.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: APIKey.self)
            let c = campaign
            try container.encode(c.id, forKey: "id")
            try container.encode(c.name, forKey: "name")
            try container.encode(c.kind, forKey: "kind")
            try container.encode(c.status, forKey: "status")
            try container.encode(JSONValue(parsing: c.flow) ?? .array([]), forKey: "flow")
            try container.encode(c.amd.flatMap(JSONValue.init(parsing:)), forKey: "amd")
            try container.encode(c.trunkId, forKey: "trunkId")
            try container.encode(c.callerId, forKey: "callerId")
            try container.encode(c.callsPerMinute, forKey: "callsPerMinute")
            try container.encode(c.maxConcurrent, forKey: "maxConcurrent")
            try container.encode(c.maxAttempts, forKey: "maxAttempts")
            try container.encode(c.ringTimeout, forKey: "ringTimeout")
            try container.encode(JSONValue(parsing: c.retryPolicy) ?? .object([:]), forKey: "retryPolicy")
            try container.encode(UTCTime.iso8601(c.startsAt), forKey: "startsAt")
            try container.encode(UTCTime.iso8601(c.endsAt), forKey: "endsAt")
            try container.encode(c.timeZone, forKey: "timeZone")
            try container.encode(c.dailyStart, forKey: "dailyStart")
            try container.encode(c.dailyEnd, forKey: "dailyEnd")
            try container.encode(c.weekdays?.split(separator: ",").map(String.init) ?? [], forKey: "weekdays")
            try container.encode(c.useContactTimeZone, forKey: "useContactTimeZone")
            try container.encode(c.doNotCallListIDs, forKey: "dndListIds")
            try container.encode(c.statusCallback, forKey: "statusCallback")
            try container.encode(UTCTime.iso8601(c.createdAt), forKey: "createdAt")
            try container.encode(UTCTime.iso8601(c.updatedAt), forKey: "updatedAt")
            if let progress { try container.encode(progress, forKey: "progress") }
            if let statistics { try container.encode(statistics, forKey: "statistics") }
        }
    }

    struct CampaignList: ResponseEncodable { var campaigns: [CampaignBody] }

    func add(to group: RouterGroup<Context>) {
        group.post("campaigns") { request, context -> EditedResponse<CampaignBody> in
            let fields = try await JSONRequest.decode(CampaignFields.self, from: request, context: context)
            let campaign = try fields.newCampaign(store: store, now: Date().timeIntervalSince1970)
            try store.insert(campaign)
            return EditedResponse(status: .created, response: CampaignBody(campaign: campaign))
        }
        group.patch("campaigns/:id") { request, context -> CampaignBody in
            let id = try context.parameters.require("id")
            let fields = try await JSONRequest.decode(CampaignFields.self, from: request, context: context)
            guard var campaign = try store.campaign(id: id) else { throw APIError.notFound("campaign", id: id) }
            try fields.apply(to: &campaign, store: store)
            campaign.updatedAt = Date().timeIntervalSince1970
            try store.update(campaign)
            return try body(id)
        }
        group.get("campaigns") { _, _ -> CampaignList in
            CampaignList(campaigns: try store.campaigns().map { CampaignBody(campaign: $0) })
        }
        for action in CampaignAction.allCases {
            group.post("campaigns/:id/\(action.rawValue)") { _, context -> CampaignBody in
                let id = try context.parameters.require("id")
                do {
                    guard let campaign = try store.apply(action, toCampaign: id, now: Date().timeIntervalSince1970) else {
                        throw APIError.notFound("campaign", id: id)
                    }
                    return CampaignBody(campaign: campaign)
                } catch let refused as CampaignTransitionRefused {
                    throw APIError(.conflict, code: "invalid_state", message: "a \(refused.from.rawValue) campaign cannot \(refused.action.rawValue)")
                }
            }
        }
        group.get("campaigns/:id") { _, context -> CampaignBody in
            let id = try context.parameters.require("id")
            return try body(id)
        }
    }

    /// The campaign with its progress and statistics.
    func body(_ id: String) throws -> CampaignBody {
        guard let campaign = try store.campaign(id: id) else { throw APIError.notFound("campaign", id: id) }
        return CampaignBody(campaign: campaign, progress: try store.campaignProgress(id: id),
                            statistics: try store.statistics(CDRFilter(campaignID: id)))
    }
}
