import DialerStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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

    @Test func answeringMachineDetectionIsASettingOfItsOwnAndItsVerdictsAreCounted() async throws {
        try await RESTTests.withServer { base, token, store in
            let campaigns = base.appendingPathComponent("v1/campaigns")
            let (refused, problem) = try await RESTTests.send("POST", campaigns, token: token, json: """
                {"name": "Drops", "calls_per_minute": 30, "max_concurrent": 4, "amd": {"machine_action": "voicemail"}}
                """)
            #expect(refused == 400 && RESTTests.error(problem).field == "amd.voicemail", "\(problem)")
            let (created, campaign) = try await RESTTests.send("POST", campaigns, token: token, json: """
                {"name": "Drops", "calls_per_minute": 30, "max_concurrent": 4, "flow": [{"verb": "say", "text": "Hi"}],
                 "amd": {"machine_action": "voicemail", "voicemail": [{"verb": "say", "text": "Please call back"}], "timeout": 6}}
                """)
            #expect(created == 201, "\(campaign)")
            let amd = try #require(campaign["amd"] as? [String: Any], "\(campaign)")
            #expect(amd["machine_action"] as? String == "voicemail" && amd["timeout"] as? Int == 6)
            let id = try #require(campaign["id"] as? String)

            var cdr = CDR(attemptId: nil, campaignId: id, phone: "+15550100", outcome: "answered", startedAt: 1, endedAt: 2)
            cdr.amd = #"{"verdict":"machine","cause":"beep at 6.1 s","decision_ms":6100,"beep":{"frequency_hz":1000,"start_ms":6100,"end_ms":6500},"revised":false,"message_started_ms":6700}"#
            try store.save(cdr)
            var faxed = CDR(attemptId: nil, campaignId: id, phone: "+15550101", outcome: "fax-failed", startedAt: 3, endedAt: 4)
            faxed.fax = #"{"success":false,"code":49,"text":"The call dropped prematurely","pages_sent":1,"pages_received":0,"transport":"t38"}"#
            try store.save(faxed)
            let (_, read) = try await RESTTests.send("GET", campaigns.appendingPathComponent(id), token: token)
            let statistics = try #require(read["statistics"] as? [String: Int], "\(read)")
            #expect(statistics["amd_machine"] == 1 && statistics["amd_human"] == 0 && statistics["amd_messages_left"] == 1, "\(statistics)")
            #expect(statistics["fax_failed"] == 1 && statistics["fax_succeeded"] == 0, "\(statistics)")

            var csvRequest = URLRequest(url: base.appendingPathComponent("v1/cdrs.csv"))
            csvRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let csv = String(decoding: try await URLSession.shared.data(for: csvRequest).0, as: UTF8.self).split(separator: "\r\n")
            #expect(csv.first?.hasSuffix("amd_verdict,amd_cause,amd_decision_ms,amd_beep_end_ms,amd_message_started_ms,"
                                         + "fax_success,fax_code,fax_pages_sent,fax_pages_received,fax_transport") == true, "\(csv)")
            #expect(csv.dropFirst().first?.hasSuffix(",machine,beep at 6.1 s,6100,6500,6700,,,,,") == true, "\(csv)")
            #expect(csv.dropFirst(2).first?.hasSuffix(",,,,,,false,49,1,0,t38") == true, "\(csv)")

            let (patched, cleared) = try await RESTTests.send("PATCH", campaigns.appendingPathComponent(id), token: token, json: #"{"amd": false}"#)
            #expect(patched == 200 && cleared["amd"] is NSNull, "\(cleared)")
            #expect(try store.campaign(id: id)?.amd == nil)
        }
    }
}
