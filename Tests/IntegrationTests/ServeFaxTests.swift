import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Fax through `serve` end to end, on 127.0.0.1: a document uploaded to `/v1/documents` is
/// sent by a campaign whose flow is `fax` to `sipdial simulate`'s fax machine (G.711), and
/// the CDR carries T.30's result. And `serve --inbound-flow` with `receive_fax` takes a fax
/// `sipdial fax send --t38` sends, over T.38, the page served at the CDR's `fax.file` equal
/// to the one sent.
struct ServeFaxTests {
    static func uploadDocument(_ serve: ServeProcess) async throws -> String {
        var request = URLRequest(url: serve.base.appendingPathComponent("documents").appending(queryItems: [URLQueryItem(name: "name", value: "letter")]))
        request.httpMethod = "POST"
        request.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        request.setValue("image/tiff", forHTTPHeaderField: "Content-Type")
        request.httpBody = try Data(contentsOf: URL(fileURLWithPath: FaxCommandTests.document))
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: data, as: UTF8.self))")
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return try #require(object["id"] as? String, "\(object)")
    }

    /// A fax broadcast: a campaign of kind `fax` whose flow sends the document to a fax
    /// machine and to a person who hangs up after 8 s: one CDR each, T.30's result in it, the
    /// person's `fax_failed` (and, with two attempts allowed, retried: due again in 300 s), the
    /// statistics and the status callback's `fax` events say the same.
    @Test func aFaxCampaignKeepsT30sResultPerCallAndCountsIt() async throws {
        let faxMachine = "+15550100401", person = "+15550100402", another = "+15550100403"
        let receiver = try await WebhookReceiver(failFirst: 0)
        defer { Task { await receiver.shutdown() } }
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(faxMachine)=answer,fax", "--behaviour", "\(person)=answer,hangup=8",
                                                                  "--behaviour", "\(another)=answer,fax"])
        defer { setup.stop() }
        let serve = setup.serve
        let document = try await Self.uploadDocument(serve)
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: setup.trunk.port, phones: [faxMachine, person], settings: [
            "kind": "fax", "calls_per_minute": 120, "max_concurrent": 2, "max_attempts": 2,
            "status_callback": "http://127.0.0.1:\(receiver.port)/hooks",
            "flow": [["verb": "fax", "document": document, "station_id": "SERVE FAX", "header": "sipdial fax broadcast"]],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        // One fax on its own, asking for T.38: the simulator's fax machine refuses it (488)
        // and the fax goes on over G.711. Its fields are named as the request names them.
        let (missing, noDocument) = try await serve.send("POST", "faxes", ["phone": another, "trunk_id": setup.trunkID])
        #expect(missing == 400 && (noDocument["error"] as? [String: Any])?["field"] as? String == "document", "\(noDocument)")
        let (invalid, badTransport) = try await serve.send("POST", "faxes", ["phone": another, "trunk_id": setup.trunkID, "document": document, "transport": "modem"])
        #expect(invalid == 400 && (badTransport["error"] as? [String: Any])?["field"] as? String == "transport", "\(badTransport)")
        let single = try await serve.create("faxes", ["phone": another, "trunk_id": setup.trunkID, "document": document, "transport": "t38"])
        var statistics: [String: Int] = [:]
        try await poll(timeout: .seconds(120), every: .milliseconds(500)) {
            statistics = try await serve.send("GET", "campaigns/\(campaign)").1["statistics"] as? [String: Int] ?? [:]
            return statistics["total"] == 2
        }
        #expect(statistics["answered"] == 1 && statistics["fax_failed"] == 1 && statistics["fax_succeeded"] == 1 && statistics["fax_pages"] == 1,
                "\(statistics)")

        let cdrs = try await serve.send("GET", "cdrs?campaign_id=\(campaign)").1["cdrs"] as? [[String: Any]] ?? []
        let faxCDR = try #require(cdrs.first { $0["phone"] as? String == faxMachine }, "\(cdrs)")
        let result = try #require(faxCDR["fax"] as? [String: Any], "\(faxCDR)")
        #expect(result["success"] as? Bool == true && result["pages_sent"] as? Int == 1 && result["transport"] as? String == "audio", "\(result)")
        let personCDR = try #require(cdrs.first { $0["phone"] as? String == person }, "\(cdrs)")
        #expect((personCDR["fax"] as? [String: Any])?["success"] as? Bool == false, "\(personCDR)")
        #expect(personCDR["outcome"] as? String == "fax-failed" && personCDR["disposition"] as? String == "fax_failed", "\(personCDR)")
        let calls = try await serve.send("GET", "campaigns/\(campaign)/calls?status=pending").1["calls"] as? [[String: Any]] ?? []
        #expect(calls.map { $0["phone"] as? String } == [person], "the failed fax is due again: \(calls)")

        var faxState: [String: Any] = [:]
        try await poll(timeout: .seconds(60), every: .milliseconds(250)) {
            faxState = try await serve.send("GET", "faxes/\(single)").1
            return faxState["status"] as? String == "ended"
        }
        let singleResult = ((faxState["cdr"] as? [String: Any])?["fax"] as? [String: Any]) ?? [:]
        #expect(singleResult["success"] as? Bool == true && singleResult["transport"] as? String == "audio", "\(faxState)")

        try await poll(timeout: .seconds(10), every: .milliseconds(100)) {
            receiver.received.filter { $0.body.contains(#""event":"fax""#) }.count == 2
        }
        let events = receiver.received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
        let results = Dictionary(events.filter { $0["event"] as? String == "fax" }.map {
            ($0["phone"] as? String ?? "", ($0["fax"] as? [String: Any])?["success"] as? Bool ?? nil)
        }, uniquingKeysWith: { a, _ in a })
        #expect(results == [faxMachine: true, person: false], "\(receiver.received.map(\.body))")
    }

    @Test func anInboundFlowReceivesAFaxOverT38() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let sipPort = Ports.free()
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: sipPort,
                                                 ["--no-simulator", "--inbound-flow", #"[{"verb": "receive_fax", "station_id": "SERVE RX"}]"#])
        defer { serve.process.stop() }
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:\(sipPort)", FaxCommandTests.document, "--t38",
                                                         "--local-address", "127.0.0.1", "--json"], timeout: .seconds(120))
        #expect(status == 0, "\(out)")
        let sent = SipdialBinary.jsonObject(in: out)
        #expect((sent["fax"] as? [String: Any])?["remote_station_id"] as? String == "SERVE RX", "\(out)")
        let callID = try #require(sent["call_id"] as? String, "\(out)")
        let cdr = try await Self.finalCDR(serve, query: "cdrs?call_id=\(callID)")
        let received = try #require(cdr["fax"] as? [String: Any], "\(cdr)")
        #expect(received["success"] as? Bool == true && received["transport"] as? String == "t38" && received["pages_received"] as? Int == 1, "\(received)")
        let file = try #require(received["file"] as? String, "\(received)")
        var request = URLRequest(url: URL(string: file, relativeTo: serve.base.deletingLastPathComponent().deletingLastPathComponent())!)
        request.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        let (tiff, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "image/tiff")
        let kept = scratch.data.appendingPathComponent("received.tif")
        try tiff.write(to: kept)
        let compare = try ExternalProcess("/usr/bin/tiffcmp", ["-t", FaxCommandTests.document, kept.path])
        #expect(await compare.wait(timeout: .seconds(20)) == 0, "the page served differs from the one sent: \(compare.text)")
    }

    /// A gateway whose INVITE offers T.38 alone (SIPp, `uac_t38_invite`) gets a 200 with
    /// sipdial's `m=image` from a flow that begins with `receive_fax`; the CDR's fax went over
    /// T.38 and, cut short by the gateway's BYE 2 s later, is a failure, never a success by default.
    @Test func anInviteOfferingT38AloneIsAnsweredOnT38ByAReceiveFaxFlow() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let sipPort = Ports.free()
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: sipPort,
                                                 ["--no-simulator", "--inbound-flow", #"[{"verb": "receive_fax"}]"#])
        defer { serve.process.stop() }
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sipp = try SIPp.start(["127.0.0.1:\(sipPort)", "-sf", SIPp.scenario("uac_t38_invite"), "-m", "1", "-t", "u1"], localPort: Ports.free(), in: dir)
        let status = await sipp.wait(timeout: .seconds(30))
        #expect(status == 0, "sipp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        let cdr = try await Self.finalCDR(serve, query: "cdrs")
        let fax = try #require(cdr["fax"] as? [String: Any], "\(cdr)")
        #expect(fax["transport"] as? String == "t38" && fax["success"] as? Bool == false, "\(fax)")
    }

    /// The first CDR `query` lists that is final (not the `interrupted` one written at the
    /// answer), once there is one (15 s at most); empty when none came.
    static func finalCDR(_ serve: ServeProcess, query: String) async throws -> [String: Any] {
        var cdr: [String: Any] = [:]
        _ = try await poll(timeout: .seconds(15)) {
            let (_, page) = try await serve.send("GET", query)
            cdr = (page["cdrs"] as? [[String: Any]])?.first { $0["outcome"] as? String != "interrupted" } ?? [:]
            return !cdr.isEmpty
        }
        return cdr
    }
}
