import DialerStore
import Foundation
import Hummingbird

/// `/v1/campaigns`: create and read campaigns (the rest of issue #5's campaign operations
/// follow on the same routes).
struct CampaignRoutes<Context: RequestContext> {
    let store: DialerStore

    /// The JSON a client posts; every field optional here so a missing one is reported by
    /// name instead of as a decoding failure.
    struct NewCampaign: Decodable {
        var name: String?
        var kind: String?
        var callsPerMinute: Double?
        var maxConcurrent: Int?
        var maxAttempts: Int?
    }

    struct CampaignBody: ResponseEncodable {
        var id, name, kind, status: String
        var callsPerMinute: Double
        var maxConcurrent, maxAttempts: Int

        init(_ c: Campaign) {
            (id, name, kind, status) = (c.id, c.name, c.kind, c.status)
            (callsPerMinute, maxConcurrent, maxAttempts) = (c.callsPerMinute, c.maxConcurrent, c.maxAttempts)
        }
    }

    struct CampaignList: ResponseEncodable { var campaigns: [CampaignBody] }

    static var kinds: [String] { ["announcement", "ivr", "survey", "otp", "fax"] }

    func add(to group: RouterGroup<Context>) {
        group.post("campaigns") { request, context -> EditedResponse<CampaignBody> in
            let new = try await JSONRequest.decode(NewCampaign.self, from: request, context: context)
            guard let name = new.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw APIError.missing("name") }
            let kind = new.kind ?? "announcement"
            guard Self.kinds.contains(kind) else { throw APIError.invalid("kind", "must be one of \(Self.kinds.joined(separator: ", "))") }
            guard let rate = new.callsPerMinute else { throw APIError.missing("calls_per_minute") }
            guard rate > 0, rate <= 60_000 else { throw APIError.invalid("calls_per_minute", "must be more than 0 and at most 60000") }
            guard let concurrent = new.maxConcurrent else { throw APIError.missing("max_concurrent") }
            guard (1...10_000).contains(concurrent) else { throw APIError.invalid("max_concurrent", "must be 1 to 10000") }
            let attempts = new.maxAttempts ?? 1
            guard (1...20).contains(attempts) else { throw APIError.invalid("max_attempts", "must be 1 to 20") }
            let campaign = Campaign(id: UUID().uuidString.lowercased(), name: name, kind: kind, callsPerMinute: rate,
                                    maxConcurrent: concurrent, maxAttempts: attempts, now: Date().timeIntervalSince1970)
            try store.insert(campaign)
            return EditedResponse(status: .created, response: CampaignBody(campaign))
        }
        group.get("campaigns") { _, _ -> CampaignList in
            CampaignList(campaigns: try store.campaigns().map(CampaignBody.init))
        }
        for action in CampaignAction.allCases {
            group.post("campaigns/:id/\(action.rawValue)") { _, context -> CampaignBody in
                let id = try context.parameters.require("id")
                do {
                    guard let campaign = try store.apply(action, toCampaign: id, now: Date().timeIntervalSince1970) else {
                        throw APIError.notFound("campaign", id: id)
                    }
                    return CampaignBody(campaign)
                } catch let refused as CampaignTransitionRefused {
                    throw APIError(.conflict, code: "invalid_state", message: "a \(refused.from.rawValue) campaign cannot \(refused.action.rawValue)")
                }
            }
        }
        group.get("campaigns/:id") { _, context -> CampaignBody in
            let id = try context.parameters.require("id")
            guard let campaign = try store.campaign(id: id) else { throw APIError.notFound("campaign", id: id) }
            return CampaignBody(campaign)
        }
    }
}
