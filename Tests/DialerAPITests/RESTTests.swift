import DialerAPI
import DialerStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Testing

/// The REST API over a real socket on 127.0.0.1: authentication, the error body, and the
/// campaign routes' happy and bad-input paths.
@Suite(.serialized)
struct RESTTests {
    /// Runs the API on a free port for `body`, with a fresh store and one token.
    static func withServer(_ body: (URL, String, DialerStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try DialerStore(directory: directory)
        let (_, token) = try store.createToken(name: "tests", now: 0)
        // Port 0: the kernel picks a free port, which the server reports once it listens.
        let bound = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "sipdial.api.tests")
        logger.logLevel = .critical
        let app = Application(router: DialerAPI.router(store: store),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { bound.continuation.yield($0.localAddress?.port ?? 0) },
                              logger: logger)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var ports = bound.stream.makeAsyncIterator()
        let port = try #require(await ports.next())
        try await body(URL(string: "http://127.0.0.1:\(port)")!, token, store)
    }

    /// Sends a request; returns the status and the body as JSON.
    static func send(_ method: String, _ url: URL, token: String?, json: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    static func error(_ body: [String: Any]) -> (code: String?, field: String?) {
        let detail = body["error"] as? [String: Any]
        return (detail?["code"] as? String, detail?["field"] as? String)
    }

    @Test func healthAndTheOpenAPIDocumentNeedNoToken() async throws {
        try await Self.withServer { base, _, _ in
            let (status, body) = try await Self.send("GET", base.appendingPathComponent("v1/health"), token: nil)
            #expect(status == 200 && body["status"] as? String == "ok")
            let (docStatus, document) = try await Self.send("GET", base.appendingPathComponent("openapi.json"), token: nil)
            #expect(docStatus == 200 && document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as? [String: Any] ?? [:]
            #expect(["/v1/health", "/v1/campaigns", "/v1/campaigns/{id}", "/v1/trunks", "/v1/trunks/{id}", "/v1/lists", "/v1/lists/{id}",
              "/v1/lists/{id}/contacts", "/v1/lists/{id}/contacts.csv", "/v1/campaigns/{id}/calls", "/v1/campaigns/{id}/lists",
              "/v1/campaigns/{id}/{action}", "/v1/dnd", "/v1/dnd/{id}", "/v1/dnd/{id}/numbers", "/v1/dnd/{id}/numbers/{phone}"].allSatisfy { paths[$0] != nil }, "\(paths.keys)")
        }
    }

    @Test func aMissingOrWrongTokenIs401WithTheErrorBody() async throws {
        try await Self.withServer { base, token, _ in
            let url = base.appendingPathComponent("v1/campaigns/x")
            let (missing, body) = try await Self.send("GET", url, token: nil)
            #expect(missing == 401 && Self.error(body).code == "unauthorized")
            let (wrong, _) = try await Self.send("GET", url, token: token + "x")
            #expect(wrong == 401)
            let (right, _) = try await Self.send("GET", url, token: token)
            #expect(right == 404, "with the right token the route runs (and the id is unknown)")
        }
    }

    /// More than ten failed token attempts within a minute block the address for 300 s:
    /// every request from it is then 429 with Retry-After, even with the right token, on the
    /// `/v1` routes and the CPaaS ones alike.
    @Test func failedTokenAttemptsBlockTheAddress() async throws {
        try await Self.withServer { base, token, _ in
            let url = base.appendingPathComponent("v1/campaigns")
            for i in 0..<11 {
                #expect(try await Self.send("GET", url, token: "guess\(i)").0 == 401, "attempt \(i + 1)")
            }
            var request = URLRequest(url: url)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            #expect(http.statusCode == 429 && Self.error(body).code == "too_many_attempts", "\(body)")
            let retry = Int(http.value(forHTTPHeaderField: "Retry-After") ?? "") ?? 0
            #expect(retry > 290 && retry <= 301, "Retry-After \(retry)")
            var cpaas = URLRequest(url: base.appendingPathComponent("api/get_cdr_statistics"))
            cpaas.setValue("tests", forHTTPHeaderField: "account")
            cpaas.setValue(token, forHTTPHeaderField: "auth")
            #expect((try await URLSession.shared.data(for: cpaas).1 as? HTTPURLResponse)?.statusCode == 429)
        }
    }

    @Test func aCampaignIsCreatedAndReadBack() async throws {
        try await Self.withServer { base, token, _ in
            let (status, created) = try await Self.send("POST", base.appendingPathComponent("v1/campaigns"), token: token,
                                                        json: #"{"name": "Reminders", "calls_per_minute": 600, "max_concurrent": 50, "max_attempts": 3}"#)
            #expect(status == 201 && created["status"] as? String == "draft" && created["kind"] as? String == "announcement")
            let id = try #require(created["id"] as? String)
            let (readStatus, read) = try await Self.send("GET", base.appendingPathComponent("v1/campaigns/\(id)"), token: token)
            #expect(readStatus == 200 && read["name"] as? String == "Reminders" && read["max_attempts"] as? Int == 3)
        }
    }

    @Test func responsesPrintTheirKeysSorted() async throws {
        try await Self.withServer { base, _, _ in
            let (data, _) = try await URLSession.shared.data(from: base.appendingPathComponent("v1/campaigns/unknown"))
            #expect(String(decoding: data, as: UTF8.self) == #"{"error":{"code":"unauthorized","message":"a valid bearer token is required (sipdial token create)"}}"#)
        }
    }

    @Test(arguments: [
        (#"{"calls_per_minute": 60, "max_concurrent": 5}"#, "missing_field", "name"),
        (#"{"name": "x", "max_concurrent": 5}"#, "missing_field", "calls_per_minute"),
        (#"{"name": "x", "calls_per_minute": "fast", "max_concurrent": 5}"#, "invalid_field", "calls_per_minute"),
        (#"{"name": "x", "calls_per_minute": 60, "max_concurrent": 0}"#, "invalid_field", "max_concurrent"),
        (#"{"name": "x", "kind": "spam", "calls_per_minute": 60, "max_concurrent": 5}"#, "invalid_field", "kind"),
        (#"not json"#, "invalid_json", nil),
    ])
    func badCampaignsAre400NamingTheField(json: String, code: String, field: String?) async throws {
        try await Self.withServer { base, token, _ in
            let (status, body) = try await Self.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: json)
            #expect(status == 400, "\(body)")
            #expect(Self.error(body).code == code && Self.error(body).field == field, "\(body)")
        }
    }

    @Test func tokensAreStoredOnlyAsTheirHash() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-api-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try DialerStore(directory: directory)
        let (_, token) = try store.createToken(name: "crm", now: 0)
        let file = try Data(contentsOf: URL(fileURLWithPath: store.path + "-wal")) + Data(contentsOf: URL(fileURLWithPath: store.path))
        #expect(file.range(of: Data(token.utf8)) == nil, "the token itself is nowhere in the database")
        #expect(try store.authenticate(token: token, now: 1)?.name == "crm")
        #expect(try store.authenticate(token: "guess", now: 1) == nil)
    }
}
