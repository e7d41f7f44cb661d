import DialerStore
import Foundation
import Testing

/// A campaign's settings through the API: every field posted reads back as sent (times in
/// UTC, weekdays as ISO numbers), a PATCH changes only what it names, and the pacer reads
/// what was stored.
struct CampaignSettingsTests {
    @Test func everySettingReadsBackAndAPatchChangesOnlyWhatItNames() async throws {
        try await RESTTests.withServer { base, token, store in
            let (_, dnd) = try await RESTTests.send("POST", base.appendingPathComponent("v1/dnd"), token: token, json: #"{"name": "opt-outs"}"#)
            let dndID = try #require(dnd["id"] as? String)
            let (created, campaign) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: """
                {"name": "Reminders", "kind": "ivr", "calls_per_minute": 30, "max_concurrent": 4, "max_attempts": 3,
                 "ring_timeout": 20, "caller_id": "+1 555 0100", "time_zone": "America/New_York",
                 "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-31T17:00:00Z",
                 "daily_start": "09:00", "daily_end": "17:30", "weekdays": ["mon", "tue", "5"], "use_contact_time_zone": true,
                 "retry_policy": {"busy": 120, "no_answer": 600}, "dnd_list_ids": ["\(dndID)"],
                 "status_callback": "https://crm.example.com/hooks/calls",
                 "flow": [{"verb": "say", "text": "Hello {first_name}", "repeat": 2}, {"verb": "hangup"}]}
                """)
            #expect(created == 201, "\(campaign)")
            #expect(campaign["starts_at"] as? String == "2026-12-01T14:00:00Z", "09:00 in New York is 14:00 UTC")
            #expect(campaign["ends_at"] as? String == "2026-12-31T17:00:00Z")
            #expect(campaign["weekdays"] as? [String] == ["1", "2", "5"])
            #expect(campaign["caller_id"] as? String == "+15550100")
            #expect(campaign["retry_policy"] as? [String: Int] == ["busy": 120, "no_answer": 600])
            #expect(campaign["dnd_list_ids"] as? [String] == [dndID])
            #expect((campaign["flow"] as? [[String: Any]])?.count == 2)
            let id = try #require(campaign["id"] as? String)

            let (patched, edited) = try await RESTTests.send("PATCH", base.appendingPathComponent("v1/campaigns/\(id)"), token: token,
                                                             json: #"{"calls_per_minute": 90, "daily_start": "", "daily_end": ""}"#)
            #expect(patched == 200, "\(edited)")
            #expect(edited["calls_per_minute"] as? Double == 90)
            #expect(edited["daily_start"] is NSNull && edited["daily_end"] is NSNull)
            #expect(edited["max_attempts"] as? Int == 3 && edited["kind"] as? String == "ivr", "untouched fields stay")
            #expect(edited["progress"] as? [String: Int] == [:])
            #expect((edited["statistics"] as? [String: Int])?["total"] == 0)
            let stored = try #require(try store.campaign(id: id))
            #expect(stored.callsPerMinute == 90 && stored.ringTimeout == 20 && stored.useContactTimeZone && stored.status == "draft")

            let (refused, problem) = try await RESTTests.send("PATCH", base.appendingPathComponent("v1/campaigns/\(id)"), token: token,
                                                              json: #"{"ends_at": "2026-11-01T00:00:00Z"}"#)
            #expect(refused == 400 && (problem["error"] as? [String: Any])?["field"] as? String == "ends_at", "ends before it starts")
        }
    }
}
