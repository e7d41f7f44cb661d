import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `sipdial serve` as a process on a data directory, with a token made by `sipdial token
/// create` and a JSON client for its REST API.
struct ServeProcess {
    let process: ExternalProcess
    let base: URL
    let token: String

    /// A token for `data` (made once per directory by the caller, kept across restarts).
    static func token(data: URL) async throws -> String {
        let (status, output) = try await SipdialBinary.run(["token", "create", "tests", "--data", data.path])
        #expect(status == 0, "\(output)")
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `serve` with SIP on UDP 127.0.0.1:`sipPort` (default: a free port).
    static func start(data: URL, token: String, sipPort: Int = Ports.free(), _ args: [String] = []) async throws -> ServeProcess {
        let process = try ExternalProcess(SipdialBinary.path, ["serve", "--listen", "udp:127.0.0.1:\(sipPort)", "--http", "127.0.0.1:0",
                                                               "--data", data.path, "--log-level", "notice"] + args)
        #expect(await process.waitForOutput("listening http", timeout: .seconds(30)), "\(process.text)")
        let line = process.text.split(separator: "\n").first { $0.hasPrefix("listening http") } ?? ""
        let port = try #require(line.split(separator: " ").last.flatMap { Int($0) }, "\(process.text)")
        return ServeProcess(process: process, base: URL(string: "http://127.0.0.1:\(port)/v1/")!, token: token)
    }

    /// Sends `body` (JSON) and returns the status and the JSON object answered.
    @discardableResult
    func send(_ method: String, _ path: String, _ body: Any? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    /// POSTs and returns the created object's id.
    func create(_ path: String, _ body: Any) async throws -> String {
        let (status, object) = try await send("POST", path, body)
        #expect(status == 201, "\(path): \(status) \(object)")
        return try #require(object["id"] as? String, "\(object)")
    }

    /// Polls the campaign until `done` says so about it, or `timeout` passes; returns its last state.
    func waitForCampaign(_ id: String, timeout: Duration, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var campaign: [String: Any] = [:]
        try await poll(timeout: timeout, every: .milliseconds(250)) {
            campaign = try await send("GET", "campaigns/\(id)").1
            return done(campaign)
        }
        return campaign
    }
}

extension ExternalProcess {
    /// How many `incoming call` lines the simulator logged for each number.
    var incomingCalls: [String: Int] {
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.contains("incoming call") {
            guard let range = line.range(of: "number=") else { continue }
            let number = line[range.upperBound...].prefix { !$0.isWhitespace }
            counts[String(number), default: 0] += 1
        }
        return counts
    }
}
