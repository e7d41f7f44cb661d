import Foundation
import Testing

/// A trunk that registers, as `serve` keeps it: Kamailio (the digest registrar of
/// `KamailioRegistrationTests`) holds the binding while the trunk is configured, the trunk's
/// status shows the registration and the OPTIONS round trip, and SIGTERM unregisters it.
struct ServeTrunkTests {
    @Test func aRegisteringTrunkIsRegisteredPingedAndUnregisteredOnStop() async throws {
        let kamailio = try await KamailioRegistrationTests.Kamailio()
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--trunk-check-interval", "1", "--no-simulator"])
        defer { serve.process.stop() }
        let id = try await serve.create("trunks", ["name": "kamailio", "host": "127.0.0.1", "port": kamailio.port, "username": "acme",
                                                   "password": "secret", "register": true, "register_expires": 60])
        var status: [String: Any] = [:]
        try await poll(timeout: .seconds(20)) {
            status = try await serve.send("GET", "trunks/\(id)").1["status"] as? [String: Any] ?? [:]
            return status["registration"] as? String == "registered" && status["options_rtt_ms"] is Double
        }
        #expect(status["registration"] as? String == "registered" && status["registered_for"] as? Int == 60, "\(status)")
        #expect(status["reachable"] as? Bool == true && (status["options_rtt_ms"] as? Double ?? -1) >= 0, "\(status)")
        #expect(try await kamailio.bindings().contains("acme@127.0.0.1"))

        kill(serve.process.process.processIdentifier, SIGTERM)
        #expect(await serve.process.wait(timeout: .seconds(20)) == 0, "\(serve.process.text.suffix(800))")
        #expect(!(try await kamailio.bindings()).contains("acme@127.0.0.1"), "unregistered at shutdown")
    }

    /// An INVITE from 127.0.0.2: the final status `serve` answers it with.
    static func invite(from client: UDPClient, _ n: Int) -> Int? {
        let invite = "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:9;branch=z9hG4bK-trunk\(n);rport\r\n"
            + "From: <sip:trunk@127.0.0.2>;tag=t\(n)\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: trunk-\(n)\r\nCSeq: 1 INVITE\r\n"
            + "Contact: <sip:trunk@127.0.0.2:9>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        client.send(Array(invite.utf8))
        return client.receiveAll().compactMap { reply -> Int? in
            guard reply.hasPrefix("SIP/2.0 "), let code = Int(reply.dropFirst(8).prefix(3)), code >= 200 else { return nil }
            return code
        }.first
    }

    @Test func aConfiguredTrunksAddressMaySendINVITEsAndOthersMayNot() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let port = Ports.free()
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: port, [
            "--allow-peer", "127.0.0.1/32", "--trunk-check-interval", "0.5", "--no-simulator",
        ])
        defer { serve.process.stop() }
        let client = UDPClient(port: port, source: "127.0.0.2")
        #expect(Self.invite(from: client, 1) == 403, "not a peer, not a trunk")
        _ = try await serve.create("trunks", ["name": "carrier", "host": "127.0.0.2", "port": 5999])
        var answer: Int?
        var n = 1
        try await poll(timeout: .seconds(10), every: .zero) {
            n += 1
            answer = Self.invite(from: client, n)
            return answer == 480
        }
        #expect(answer == 480, "a trunk's INVITE passes the allow-list (and is refused as sipdial takes no inbound calls yet)")
    }

    /// The first trunk cannot be reached (TCP to a port nobody listens on): its one failed
    /// call marks it down, and the campaign's calls go to the next trunk in failover order
    /// instead of each failing on the first (before: every number failed there first).
    @Test func callsFailOverFromATrunkThatCannotBeReached() async throws {
        let (simulator, backupPort) = try await ServeCampaignTests.simulator([:])
        defer { simulator.stop() }
        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        let dead = try await serve.create("trunks", ["name": "dead", "host": "127.0.0.1", "port": Ports.free(), "transport": "tcp", "failover_order": 0])
        let backup = try await serve.create("trunks", ["name": "backup", "host": "127.0.0.1", "port": backupPort, "failover_order": 1])
        let phones = (0..<8).map { ServeCampaignTests.phone(700 + $0) }
        let list = try await serve.create("lists", ["name": "failover"])
        #expect(try await serve.send("POST", "lists/\(list)/contacts", ["contacts": phones.map { ["phone": $0] }]).0 == 200)
        let campaign = try await serve.create("campaigns", ["name": "failover", "calls_per_minute": 600, "max_concurrent": 1, "max_attempts": 3,
                                                            "retry_policy": ["channel_unavailable": 1], "flow": [["verb": "pause", "seconds": 0.2]]])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/lists", ["list_id": list]).0 == 200)
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(60), until: ServeCampaignTests.isCompleted)
        #expect((final["statistics"] as? [String: Int])?["answered"] == phones.count, "\(final)")
        let cdrs = try await serve.send("GET", "cdrs?limit=100").1["cdrs"] as? [[String: Any]] ?? []
        let onDead = cdrs.filter { $0["trunk_id"] as? String == dead }
        #expect(onDead.count == 1, "one call found the first trunk down: \(onDead)")
        #expect(cdrs.filter { $0["trunk_id"] as? String == backup && $0["disposition"] as? String == "answered" }.count == phones.count)
    }
}
