import Foundation
import Testing

/// `/v1/dnd` over a real socket: numbers in any common spelling land once, are found by the
/// check the pacer makes, and can be removed; bad numbers are named.
@Suite(.serialized)
struct DoNotCallRoutesTests {
    @Test func numbersAreAddedOnceCheckedAndRemoved() async throws {
        try await RESTTests.withServer { base, token, store in
            let (created, list) = try await RESTTests.send("POST", base.appendingPathComponent("v1/dnd"), token: token, json: #"{"name": "opted out"}"#)
            #expect(created == 201)
            let id = try #require(list["id"] as? String)
            let dnd = base.appendingPathComponent("v1/dnd/\(id)")
            let (status, added) = try await RESTTests.send("POST", dnd.appendingPathComponent("numbers"), token: token,
                                                           json: #"{"numbers": ["+1 555 010 0001", "+15550100001", "+1-555-010-0002", "banana"]}"#)
            #expect(status == 200 && added["added"] as? Int == 2, "\(added)")
            #expect((added["errors"] as? [[String: Any]])?.first?["row"] as? Int == 3)
            #expect(try store.isDoNotCall("+15550100002", listIDs: ["other", id]))
            #expect(try !store.isDoNotCall("+15550100003", listIDs: [id]))
            let (_, check) = try await RESTTests.send("GET", dnd.appendingPathComponent("numbers/+15550100001"), token: token)
            #expect(check["do_not_call"] as? Bool == true && check["phone"] as? String == "+15550100001")
            let (removed, _) = try await RESTTests.send("DELETE", dnd.appendingPathComponent("numbers/+15550100001"), token: token)
            #expect(removed == 204)
            let (again, _) = try await RESTTests.send("DELETE", dnd.appendingPathComponent("numbers/+15550100001"), token: token)
            #expect(again == 404)
            let (_, summary) = try await RESTTests.send("GET", dnd, token: token)
            #expect(summary["number_count"] as? Int == 1)
            let (bad, body) = try await RESTTests.send("GET", dnd.appendingPathComponent("numbers/banana"), token: token)
            #expect(bad == 400 && RESTTests.error(body).field == "phone")
            let (unknown, _) = try await RESTTests.send("GET", base.appendingPathComponent("v1/dnd/nope"), token: token)
            #expect(unknown == 404)
        }
    }
}
