import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `/v1/lists` over a real socket: lists, JSON and CSV imports that keep the good rows and
/// report each bad one with its row and field, and cursor pagination in the order added.
@Suite(.serialized)
struct ContactRoutesTests {
    static func newList(_ base: URL, _ token: String) async throws -> URL {
        let (status, list) = try await RESTTests.send("POST", base.appendingPathComponent("v1/lists"), token: token, json: #"{"name": "patients"}"#)
        #expect(status == 201)
        return base.appendingPathComponent("v1/lists/\(list["id"] as? String ?? "")")
    }

    static func postCSV(_ url: URL, token: String, _ csv: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("text/csv", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(csv.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    @Test func jsonImportKeepsGoodRowsAndNamesTheBadOnes() async throws {
        try await RESTTests.withServer { base, token, _ in
            let list = try await Self.newList(base, token)
            let (status, result) = try await RESTTests.send("POST", list.appendingPathComponent("contacts"), token: token, json: """
                {"contacts": [{"phone": "+1 (555) 010-0001", "first_name": "Ann", "fields": {"appointment": "Tuesday 9:30"}},
                              {"first_name": "nobody"}, {"phone": "call me"}, {"phone": "5550100", "time_zone": "Mars/Olympus"},
                              {"phone": "+445550100", "time_zone": "Europe/London"}]}
                """)
            #expect(status == 200 && result["imported"] as? Int == 2, "\(result)")
            let errors = (result["errors"] as? [[String: Any]] ?? []).map { "\($0["row"] ?? "")/\($0["field"] ?? "")" }
            #expect(errors == ["1/phone", "2/phone", "3/time_zone"], "\(result)")
            let (_, page) = try await RESTTests.send("GET", list.appendingPathComponent("contacts"), token: token)
            let contacts = page["contacts"] as? [[String: Any]] ?? []
            #expect(contacts.map { $0["phone"] as? String } == ["+15550100001", "+445550100"])
            #expect((contacts.first?["fields"] as? [String: String])?["appointment"] == "Tuesday 9:30")
        }
    }

    @Test func csvImportReportsBadRowsByLineNumberAndKeepsCustomColumns() async throws {
        try await RESTTests.withServer { base, token, _ in
            let list = try await Self.newList(base, token)
            let csv = "phone,first_name,doctor\r\n+15550100001,Ann,\"Smith, J.\"\r\nnot a number,Bob,Lee\r\n\r\n\"+15550100003\",\"Cy \"\"the\"\" Doe\",Ray\r\n"
            let (status, result) = try await Self.postCSV(list.appendingPathComponent("contacts.csv"), token: token, csv)
            #expect(status == 200 && result["imported"] as? Int == 2, "\(result)")
            let errors = result["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == 1 && errors.first?["row"] as? Int == 3 && errors.first?["field"] as? String == "phone", "\(result)")
            let (_, page) = try await RESTTests.send("GET", list.appendingPathComponent("contacts"), token: token)
            let contacts = page["contacts"] as? [[String: Any]] ?? []
            #expect((contacts.first?["fields"] as? [String: String])?["doctor"] == "Smith, J.")
            #expect(contacts.last?["first_name"] as? String == #"Cy "the" Doe"#)
            let (noPhone, refused) = try await Self.postCSV(list.appendingPathComponent("contacts.csv"), token: token, "name\nAnn\n")
            #expect(noPhone == 400 && RESTTests.error(refused).code == "invalid_csv", "\(refused)")
            let (open, unclosed) = try await Self.postCSV(list.appendingPathComponent("contacts.csv"), token: token, "phone\n\"+1555\n")
            #expect(open == 400 && (unclosed["error"] as? [String: Any])?["message"] as? String == "line 2: a quoted field is never closed")
        }
    }

    @Test func pagesFollowTheCursorInTheOrderAdded() async throws {
        try await RESTTests.withServer { base, token, _ in
            let list = try await Self.newList(base, token)
            let rows = (0..<25).map { #"{"phone": "+1555010\#(String(format: "%04d", $0))"}"# }.joined(separator: ",")
            _ = try await RESTTests.send("POST", list.appendingPathComponent("contacts"), token: token, json: #"{"contacts": [\#(rows)]}"#)
            var phones: [String] = [], cursor: String?, pages = 0
            repeat {
                var components = URLComponents(url: list.appendingPathComponent("contacts"), resolvingAgainstBaseURL: false)!
                components.queryItems = [URLQueryItem(name: "limit", value: "10")] + (cursor.map { [URLQueryItem(name: "cursor", value: $0)] } ?? [])
                let (_, page) = try await RESTTests.send("GET", components.url!, token: token)
                phones += (page["contacts"] as? [[String: Any]] ?? []).compactMap { $0["phone"] as? String }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3 && phones == (0..<25).map { "+1555010" + String(format: "%04d", $0) })
            let (_, listed) = try await RESTTests.send("GET", list, token: token)
            #expect(listed["contact_count"] as? Int == 25)
            let (_, all) = try await RESTTests.send("GET", base.appendingPathComponent("v1/lists"), token: token)
            #expect((all["lists"] as? [[String: Any]] ?? []).map { $0["contact_count"] as? Int } == [25])
            let (bad, body) = try await RESTTests.send("GET", list.appendingPathComponent("contacts").appending(queryItems: [URLQueryItem(name: "limit", value: "0")]), token: token)
            #expect(bad == 400 && RESTTests.error(body).field == "limit")
        }
    }
}
