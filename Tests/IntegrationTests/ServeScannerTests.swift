import Foundation
import Testing

/// Scanners and floods against a running `serve` (issue #24 item 3), from loopback addresses
/// that are neither its trunk (127.0.0.3) nor an allowed peer: sipvicious' svmap, svwar and
/// svcrack find nothing and their sources are blocked (their User-Agent names them); a
/// source sending OPTIONS as fast as it can gets answers to 16, then none; `/v1/security`
/// lists the blocks; and a campaign through the trunk at the same time loses no call.
/// (svwar and svcrack 0.3.3 do not pass `-b` on to their sockets, so they scan from
/// 127.0.0.1; svmap binds 127.0.0.2 as told.)
struct ServeScannerTests {
    @Test func scannersFindNothingFloodsAreCutAndACampaignLosesNoCall() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let (trunk, trunkPort) = try await ServeCampaignTests.simulator([:], host: "127.0.0.3")
        defer { trunk.stop() }
        let token = try await ServeProcess.token(data: scratch.data)
        let sipPort = Ports.free()
        let serve = try await ServeProcess.start(data: scratch.data, token: token, sipPort: sipPort, ["--no-simulator", "--allow-peer", "127.0.0.3"])
        defer { serve.process.stop() }
        let phones = (0..<60).map(ServeCampaignTests.phone)
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: trunkPort, phones: phones, settings: [
            "calls_per_minute": 600, "max_concurrent": 20, "flow": [["verb": "pause", "seconds": 1]],
        ], trunkSettings: ["host": "127.0.0.3"])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)

        let port = "\(sipPort)"
        async let map = Self.run("/usr/bin/svmap", ["-b", "127.0.0.2", "-p", port, "127.0.0.1"])
        async let war = Self.run("/usr/bin/svwar", ["-p", port, "-e", "100-299", "-m", "INVITE", "127.0.0.1"])
        let (mapped, warred) = try await (map, war)
        let cracked = try await Self.run("/usr/bin/svcrack", ["-p", port, "-u", "100", "-r", "1000-1200", "127.0.0.1"])
        for (tool, output) in [("svmap", mapped), ("svwar", warred), ("svcrack", cracked)] {
            #expect(output.contains("found nothing"), "\(tool): \(output.suffix(400))")
        }

        // A flood with an ordinary User-Agent: answered up to the limit, then dropped.
        let flooder = UDPClient(port: sipPort, source: "127.0.0.4")
        for i in 0..<30 { flooder.send(Self.options(i)) }
        let answers = flooder.collect(timeout: .seconds(3)) { $0.count > 16 }
        #expect(answers.count == 16, "answers to 30 OPTIONS sent at once: \(answers.count)")
        flooder.send(Self.options(99))
        #expect(flooder.receiveAll().isEmpty, "still blocked")

        let (status, security) = try await serve.send("GET", "security")
        #expect(status == 200)
        let blocked = (security["blocked_sources"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["address"] as? String ?? ""] = $1["reason"] as? String
        }
        #expect(blocked == ["127.0.0.1": "scanner", "127.0.0.2": "scanner", "127.0.0.4": "flood"], "\(security)")
        #expect(security["scanner_blocks"] as? Int == 2 && security["flood_blocks"] as? Int == 1, "\(security)")
        #expect(security["blocked_requests"] as? Int ?? 0 >= 2 + 14 + 1, "\(security)")
        #expect(serve.process.text.contains("SIP source blocked"), "a log line per block")

        // Meanwhile the trunk's calls went on: every contact answered once.
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(90), until: ServeCampaignTests.isCompleted)
        let statistics = final["statistics"] as? [String: Int] ?? [:]
        #expect(ServeCampaignTests.isCompleted(final) && statistics["answered"] == phones.count && statistics["total"] == phones.count, "\(final)")
        #expect(trunk.incomingCalls.values.allSatisfy { $0 == 1 } && trunk.incomingCalls.count == phones.count)
    }

    @Test func badGuardSettingsAreUsageErrorsNamingTheFlag() async throws {
        for (args, flag) in [(["--source-limit", "0/2"], "--source-limit"), (["--source-limit", "16"], "--source-limit"),
                             (["--source-limit", "16/0"], "--source-limit"), (["--source-block", "0"], "--source-block")] {
            let (status, out) = try await SipdialBinary.run(["serve", "--http", "127.0.0.1:0"] + args, timeout: .seconds(20))
            #expect(status == 2 && out.contains(flag), "\(args): \(status) \(out.suffix(300))")
        }
    }

    static func options(_ i: Int) -> String {
        "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.4:5060;branch=z9hG4bK-flood\(i);rport\r\nFrom: <sip:flood@127.0.0.4>;tag=f\(i)\r\n"
            + "To: <sip:probe@127.0.0.1>\r\nCall-ID: flood-\(i)\r\nCSeq: 1 OPTIONS\r\nUser-Agent: Softphone/1.0\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    }

    /// A sipvicious tool's output once it has ended (within 90 s).
    static func run(_ tool: String, _ args: [String]) async throws -> String {
        let process = try ExternalProcess(tool, args)
        let status = await process.wait(timeout: .seconds(90))
        #expect(status != nil, "\(tool) did not end: \(process.text.suffix(300))")
        return process.text
    }
}
