import Foundation
import Testing

/// `/v1/campaigns/{id}/calls` and `/lists` over a real socket: numbers and whole lists are
/// queued with priority and originate time, bad rows are named, the queue pages by status,
/// and the store leases what the API queued in priority order.
@Suite(.serialized)
struct CampaignCallRoutesTests {
    static func newCampaign(_ base: URL, _ token: String) async throws -> (URL, String) {
        let (_, created) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token,
                                                    json: #"{"name": "otp", "kind": "otp", "calls_per_minute": 60, "max_concurrent": 5}"#)
        let id = created["id"] as? String ?? ""
        return (base.appendingPathComponent("v1/campaigns/\(id)"), id)
    }

    @Test func numbersAreQueuedWithPriorityAndTimeAndLeasedInThatOrder() async throws {
        try await RESTTests.withServer { base, token, store in
            let (campaign, id) = try await Self.newCampaign(base, token)
            let (status, result) = try await RESTTests.send("POST", campaign.appendingPathComponent("calls"), token: token, json: """
                {"calls": [{"phone": "+15550100001"}, {"phone": "+15550100002", "priority": 5},
                           {"phone": "+15550100003", "originate_at": "2099-01-01T09:00:00-05:00"},
                           {"phone": "nope"}, {"phone": "+15550100004", "originate_at": "tomorrow"}]}
                """)
            #expect(status == 200 && result["queued"] as? Int == 3, "\(result)")
            let errors = (result["errors"] as? [[String: Any]] ?? []).map { "\($0["row"] ?? "")/\($0["field"] ?? "")" }
            #expect(errors == ["3/phone", "4/originate_at"], "\(result)")
            let now = Date().timeIntervalSince1970 + 1
            #expect(try store.leaseNextCall(campaignID: id, now: now)?.phone == "+15550100002", "priority first")
            #expect(try store.leaseNextCall(campaignID: id, now: now)?.phone == "+15550100001")
            #expect(try store.leaseNextCall(campaignID: id, now: now) == nil, "the 2099 call is not due")
            let (_, pending) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls").appending(queryItems: [URLQueryItem(name: "status", value: "pending")]), token: token)
            let calls = pending["calls"] as? [[String: Any]] ?? []
            #expect(calls.map { $0["phone"] as? String } == ["+15550100003"] && calls.first?["due_at"] as? String == "2099-01-01T14:00:00Z", "\(pending)")
            let (_, dialing) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls").appending(queryItems: [URLQueryItem(name: "status", value: "dialing")]), token: token)
            #expect((dialing["calls"] as? [[String: Any]] ?? []).compactMap { $0["attempts"] as? Int } == [1, 1])
        }
    }

    @Test func anOriginateTimeWithoutOffsetIsInTheCampaignsZone() async throws {
        try await RESTTests.withServer { base, token, store in
            let (_, created) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: """
                {"name": "tokyo", "calls_per_minute": 60, "max_concurrent": 5, "time_zone": "Asia/Tokyo"}
                """)
            let campaign = base.appendingPathComponent("v1/campaigns/\(created["id"] as? String ?? "")")
            let (status, result) = try await RESTTests.send("POST", campaign.appendingPathComponent("calls"), token: token, json: """
                {"calls": [{"phone": "+15550100001", "originate_at": "2099-01-01T09:00"}, {"phone": "+15550100002", "originate_at": "2099-01-01 09:00:00"}]}
                """)
            #expect(status == 200 && result["queued"] as? Int == 2, "\(result)")
            let (_, page) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls"), token: token)
            // 09:00 in Tokyo (UTC+9) is midnight UTC.
            #expect((page["calls"] as? [[String: Any]] ?? []).map { $0["due_at"] as? String } == ["2099-01-01T00:00:00Z", "2099-01-01T00:00:00Z"], "\(page)")
        }
    }

    @Test func aPendingCallIsChangedOrRemovedAndAStartedOneIsNot() async throws {
        try await RESTTests.withServer { base, token, store in
            let (campaign, id) = try await Self.newCampaign(base, token)
            _ = try await RESTTests.send("POST", campaign.appendingPathComponent("calls"), token: token, json: """
                {"calls": [{"phone": "+15550100001"}, {"phone": "+15550100002"}, {"phone": "+15550100003"}]}
                """)
            let (_, page) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls"), token: token)
            let ids = (page["calls"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 3)
            let dialed = try #require(try store.leaseNextCall(campaignID: id, now: Date().timeIntervalSince1970 + 1))
            let started = try #require(ids.first { try! store.campaignCall(id: $0)?.phone == dialed.phone })
            let waiting = ids.filter { $0 != started }
            let call = campaign.appendingPathComponent("calls")
            #expect(try await RESTTests.send("PATCH", call.appendingPathComponent(waiting[0]), token: token,
                                             json: #"{"priority": 9, "originate_at": "2099-01-01T00:00:00Z"}"#).0 == 204)
            #expect(try store.campaignCall(id: waiting[0])?.priority == 9)
            #expect(try await RESTTests.send("PATCH", call.appendingPathComponent(started), token: token, json: #"{"priority": 1}"#).0 == 409)
            #expect(try await RESTTests.send("DELETE", call.appendingPathComponent(started), token: token).0 == 409)
            #expect(try await RESTTests.send("DELETE", call.appendingPathComponent(waiting[1]), token: token).0 == 204)
            #expect(try await RESTTests.send("DELETE", call.appendingPathComponent(waiting[1]), token: token).0 == 404)
            let (_, cleared) = try await RESTTests.send("DELETE", call, token: token)
            #expect(cleared["removed"] as? Int == 1, "only the pending one is left to clear")
        }
    }

    @Test func aWholeListIsQueued() async throws {
        try await RESTTests.withServer { base, token, _ in
            let (campaign, _) = try await Self.newCampaign(base, token)
            let list = try await ContactRoutesTests.newList(base, token)
            _ = try await RESTTests.send("POST", list.appendingPathComponent("contacts"), token: token,
                                         json: #"{"contacts": [{"phone": "+15550100001"}, {"phone": "+15550100002"}, {"phone": "+15550100003"}]}"#)
            let (status, queued) = try await RESTTests.send("POST", campaign.appendingPathComponent("lists"), token: token,
                                                            json: #"{"list_id": "\#(list.lastPathComponent)", "priority": 2}"#)
            #expect(status == 200 && queued["queued"] as? Int == 3, "\(queued)")
            let (_, page) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls"), token: token)
            #expect((page["calls"] as? [[String: Any]] ?? []).map { $0["phone"] as? String } == ["+15550100001", "+15550100002", "+15550100003"])
            let (unknown, body) = try await RESTTests.send("POST", campaign.appendingPathComponent("lists"), token: token, json: #"{"list_id": "nope"}"#)
            #expect(unknown == 404 && RESTTests.error(body).field == "list_id")
            let (missing, _) = try await RESTTests.send("POST", campaign.appendingPathComponent("lists"), token: token, json: "{}")
            #expect(missing == 400)
            let (badStatus, _) = try await RESTTests.send("GET", campaign.appendingPathComponent("calls").appending(queryItems: [URLQueryItem(name: "status", value: "ringing")]), token: token)
            #expect(badStatus == 400)
        }
    }
}
