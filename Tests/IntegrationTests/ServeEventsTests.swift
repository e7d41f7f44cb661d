import Foundation
import Testing

/// `GET /v1/events` (server-sent events) read by curl while `serve` places two calls on its
/// embedded simulator: every call's events arrive in order with rising ids; a client that
/// reconnects with `Last-Event-ID` gets what came after; `call_id` filters.
@Suite(.serialized)
struct ServeEventsTests {
    /// The (id, event name, call id) of each event in curl's output (headers included).
    static func events(in text: String) -> [(id: Int, name: String, call: String)] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let id = lines.first(where: { $0.hasPrefix("id: ") }).flatMap({ Int($0.dropFirst(4)) }),
                  let name = lines.first(where: { $0.hasPrefix("event: ") }).map({ String($0.dropFirst(7)) }),
                  let data = lines.first(where: { $0.hasPrefix("data: ") }),
                  let object = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any],
                  let call = object["call_id"] as? String else { return nil }
            return (id, name, call)
        }
    }

    static func curl(_ serve: ServeProcess, _ query: String, headers: [String] = [], maxTime: Int) throws -> ExternalProcess {
        try ExternalProcess("/usr/bin/curl", ["-sN", "-i", "--max-time", String(maxTime), "-H", "Authorization: Bearer \(serve.token)"]
                            + headers.flatMap { ["-H", $0] } + [URL(string: "events\(query)", relativeTo: serve.base)!.absoluteString])
    }

    @Test func everyCallsEventsArriveInOrderAndAReconnectResumes() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--simulator-mix", "1:answer,after=0.2,hangup=1"])
        defer { serve.process.stop() }
        let live = try Self.curl(serve, "", maxTime: 60)
        defer { live.stop() }
        #expect(await live.waitForOutput("text/event-stream", timeout: .seconds(10)), "\(live.text)")
        var ids: [String] = []
        for phone in ["+15550104301", "+15550104302"] {
            ids.append(try await serve.create("calls", ["phone": phone, "flow": [["verb": "pause", "seconds": 3]]]))
        }
        try await poll(timeout: .seconds(30)) { Self.events(in: live.text).filter { $0.name == "completed" }.count == 2 }
        let all = Self.events(in: live.text)
        #expect(all.map(\.id) == Array(1...all.count), "numbered in order: \(all)")
        for id in ids {
            #expect(all.filter { $0.call == id }.map(\.name) == ["initiated", "ringing", "answered", "completed"], "\(all)")
        }

        // A client that read up to the first event reconnects and gets the rest from the buffer.
        let resumed = try Self.curl(serve, "", headers: ["Last-Event-ID: 1"], maxTime: 2)
        _ = await resumed.wait(timeout: .seconds(10))
        #expect(Self.events(in: resumed.text).map(\.id) == Array(2...all.count), "\(resumed.text.suffix(400))")
        // One call's events only.
        let one = try Self.curl(serve, "?call_id=\(ids[1])", maxTime: 2)
        _ = await one.wait(timeout: .seconds(10))
        #expect(Self.events(in: one.text).map(\.call) == Array(repeating: ids[1], count: 4), "\(one.text.suffix(400))")
        let (bad, body) = try await serve.send("GET", "events?last_event_id=abc")
        #expect(bad == 400 && (body["error"] as? [String: Any])?["field"] as? String == "last_event_id", "\(body)")
    }

    /// A campaign's stream (`?campaign_id=`): each call's events, and after each call the
    /// campaign's progress, the last one with every call done.
    @Test func aCampaignsStreamCarriesItsCallsAndItsProgress() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let (simulator, port) = try await ServeCampaignTests.simulator([:])
        defer { simulator.stop() }
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        let phones = (0..<3).map { ServeCampaignTests.phone(104_400 + $0) }
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: port, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 3, "flow": [["verb": "pause", "seconds": 1]],
        ])
        let stream = try Self.curl(serve, "?campaign_id=\(campaign)", maxTime: 60)
        defer { stream.stop() }
        #expect(await stream.waitForOutput("text/event-stream", timeout: .seconds(10)), "\(stream.text)")
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        try await poll(timeout: .seconds(40)) { stream.text.components(separatedBy: "event: campaign_progress").count - 1 == 3 }
        #expect(Self.events(in: stream.text).filter { $0.name == "completed" }.count == 3, "\(stream.text.suffix(600))")
        let last = stream.text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").last { $0.contains("event: campaign_progress") } ?? ""
        #expect(last.contains(#""progress":{"done":3}"#), "the last progress has every call done: \(last)")
    }

    /// A trunk's state changes go on the stream: a new trunk that answers its OPTIONS
    /// becomes reachable.
    @Test func aTrunksStateChangeIsOnTheStream() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let (simulator, port) = try await ServeCampaignTests.simulator([:])
        defer { simulator.stop() }
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator", "--trunk-check-interval", "0.5"])
        defer { serve.process.stop() }
        let stream = try Self.curl(serve, "", maxTime: 30)
        defer { stream.stop() }
        #expect(await stream.waitForOutput("text/event-stream", timeout: .seconds(10)), "\(stream.text)")
        let trunk = try await serve.create("trunks", ["name": "simulator", "host": "127.0.0.1", "port": port])
        #expect(await stream.waitForOutput("event: trunk_state", timeout: .seconds(15)), "\(stream.text)")
        let state = stream.text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").first { $0.contains("event: trunk_state") } ?? ""
        #expect(state.contains(#""reachable":true"#) && state.contains(#""trunk_id":"\#(trunk)""#), "\(state)")
    }

    /// A call `--inbound-flow` answers is on the stream too: answered, then completed with
    /// its CDR (the caller here is `sipdial call`).
    @Test func anInboundCallsEventsAreOnTheStream() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let sipPort = Ports.free()
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: sipPort,
                                                 ["--no-simulator", "--inbound-flow", #"[{"verb": "pause", "seconds": 5}]"#])
        defer { serve.process.stop() }
        let stream = try Self.curl(serve, "", maxTime: 30)
        defer { stream.stop() }
        #expect(await stream.waitForOutput("text/event-stream", timeout: .seconds(10)), "\(stream.text)")
        let (status, out) = try await SipdialBinary.run(["call", "sip:+15550104501@127.0.0.1:\(sipPort)", "--local-address", "127.0.0.1", "--hold", "1", "--json"])
        #expect(status == 0, "\(out)")
        try await poll(timeout: .seconds(20)) { Self.events(in: stream.text).contains { $0.name == "completed" } }
        #expect(Self.events(in: stream.text).map(\.name) == ["answered", "completed"], "\(stream.text.suffix(600))")
    }
}
