import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Fax through `serve` end to end, on 127.0.0.1: a document uploaded to `/v1/documents` is
/// sent by a call whose flow is `fax` to `sipdial simulate`'s fax machine (G.711), and the
/// CDR carries T.30's result; a far end that is no fax machine gives up at the verb's timeout
/// as `fax_failed`; the statistics count both. And `serve --inbound-flow` with `receive_fax`
/// takes a fax `sipdial fax send --t38` sends, over T.38, the page served at the CDR's
/// `fax.file` equal to the one sent.
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

    @Test func aFlowSendsADocumentAndTheCDRKeepsT30sResult() async throws {
        let faxMachine = "+15550100401", person = "+15550100402"
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(faxMachine)=answer,fax", "--behaviour", "\(person)=answer"])
        defer { setup.stop() }
        let serve = setup.serve
        let document = try await Self.uploadDocument(serve)
        func flow(timeout: Int) -> [[String: Any]] { [["verb": "fax", "document": document, "station_id": "SERVE FAX", "timeout": timeout]] }
        let faxCall = try await serve.create("calls", ["phone": faxMachine, "trunk_id": setup.trunkID, "flow": flow(timeout: 120)])
        let personCall = try await serve.create("calls", ["phone": person, "trunk_id": setup.trunkID, "flow": flow(timeout: 30)])

        let faxed = try await ServeCallTests.waitForCall(serve, faxCall, status: "ended", timeout: .seconds(120))
        let faxCDR = try #require(faxed["cdr"] as? [String: Any], "\(faxed)")
        let result = try #require(faxCDR["fax"] as? [String: Any], "\(faxCDR)")
        #expect(result["success"] as? Bool == true && result["pages_sent"] as? Int == 1 && result["transport"] as? String == "audio", "\(result)")
        #expect(faxCDR["disposition"] as? String == "answered", "\(faxCDR)")

        let refused = try await ServeCallTests.waitForCall(serve, personCall, status: "ended", timeout: .seconds(60))
        let personCDR = try #require(refused["cdr"] as? [String: Any], "\(refused)")
        #expect((personCDR["fax"] as? [String: Any])?["success"] as? Bool == false, "\(personCDR)")
        #expect(personCDR["outcome"] as? String == "fax-failed" && personCDR["disposition"] as? String == "fax_failed", "\(personCDR)")

        let statistics = try await serve.send("GET", "statistics").1["statistics"] as? [String: Any] ?? [:]
        #expect(statistics["fax_succeeded"] as? Int == 1 && statistics["fax_pages"] as? Int == 1 && statistics["fax_failed"] as? Int == 1, "\(statistics)")
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
        var cdr: [String: Any] = [:]
        _ = try await poll(timeout: .seconds(15)) {
            let (_, page) = try await serve.send("GET", "cdrs?call_id=\(callID)")
            cdr = (page["cdrs"] as? [[String: Any]])?.first { $0["outcome"] as? String != "interrupted" } ?? [:]
            return !cdr.isEmpty
        }
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
}
