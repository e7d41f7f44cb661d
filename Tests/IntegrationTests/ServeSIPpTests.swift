import DialerStore
import Foundation
import Testing

/// `sipdial serve` dialing campaigns through trunks that are SIPp UAS scenarios on
/// 127.0.0.1 — one that answers (SIPp's built-in `uas`), one that is busy (486) and one that
/// rings until cancelled — and the CDRs of each campaign counting exactly what that SIPp's
/// own statistics screen says it did.
@Suite(.serialized)
struct ServeSIPpTests {
    /// Contacts per campaign: what each SIPp is told to expect (`-m`), so it stops by itself.
    static let contacts = 8

    @Test func campaignCDRsCountWhatEachSIPpTrunkDid() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = ["-m", String(Self.contacts)]
        let (answering, answerPort) = try await SIPp.listening(["-sn", "uas"] + m, timeoutSeconds: 90, in: dir)
        defer { answering.stop() }
        let (busy, busyPort) = try await SIPp.listening(["-sf", SIPp.scenario("uas_busy")] + m, timeoutSeconds: 90, in: dir)
        defer { busy.stop() }
        let (ringing, ringPort) = try await SIPp.listening(["-sf", SIPp.scenario("uas_ring_until_cancel")] + m, timeoutSeconds: 90, in: dir)
        defer { ringing.stop() }

        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        let settings: [String: Any] = [
            "calls_per_minute": 600, "max_concurrent": 4, "max_attempts": 1, "ring_timeout": 5,
            "flow": [["verb": "pause", "seconds": 1], ["verb": "hangup"]],
        ]
        var campaigns: [(name: String, id: String, sipp: ExternalProcess)] = []
        for (offset, (name, port, sipp)) in [("answer", answerPort, answering), ("busy", busyPort, busy), ("ring", ringPort, ringing)].enumerated() {
            let phones = (0..<Self.contacts).map { ServeCampaignTests.phone(offset * 100 + $0) }
            let id = try await ServeCampaignTests.campaign(serve, trunkPort: port, phones: phones, settings: settings, name: name)
            campaigns.append((name, id, sipp))
        }
        for campaign in campaigns {
            #expect(try await serve.send("POST", "campaigns/\(campaign.id)/start").0 == 200)
        }
        var statistics: [String: [String: Int]] = [:]
        for campaign in campaigns {
            let final = try await serve.waitForCampaign(campaign.id, timeout: .seconds(60), until: ServeCampaignTests.isCompleted)
            #expect(ServeCampaignTests.isCompleted(final), "\(campaign.name): \(final)")
            statistics[campaign.name] = final["statistics"] as? [String: Int] ?? [:]
            // Each SIPp ends by itself after its calls: its screen is then final.
            #expect(await campaign.sipp.wait(timeout: .seconds(30)) != nil, "\(campaign.name) SIPp did not finish: \(campaign.sipp.text.suffix(2000))")
        }

        let answered = answering.text, busyScreen = busy.text, ringScreen = ringing.text
        // The answering SIPp: every INVITE answered 200, every call ended by sipdial's BYE.
        #expect(SIPp.messages(of: "INVITE", in: answered) == Self.contacts, "\(answered)")
        #expect(statistics["answer"]?["answered"] == SIPp.messages(of: "200", in: answered), "\(statistics) \(answered)")
        #expect(statistics["answer"]?["answered"] == SIPp.messages(of: "BYE", in: answered), "\(statistics) \(answered)")
        // The busy SIPp: its 486s are the campaign's busy CDRs.
        #expect(SIPp.messages(of: "INVITE", in: busyScreen) == Self.contacts, "\(busyScreen)")
        #expect(statistics["busy"]?["busy"] == SIPp.messages(of: "486", in: busyScreen), "\(statistics) \(busyScreen)")
        // The ringing SIPp: each CANCEL sipdial sent after the 5 s ring timeout is a no-answer CDR.
        #expect(SIPp.messages(of: "INVITE", in: ringScreen) == Self.contacts, "\(ringScreen)")
        #expect(statistics["ring"]?["no_answer"] == SIPp.messages(of: "CANCEL", in: ringScreen), "\(statistics) \(ringScreen)")
        for (name, counts) in statistics {
            #expect(counts["total"] == Self.contacts, "\(name): \(counts)")
        }
        #expect(SIPp.errors(in: dir).isEmpty, "\(SIPp.errors(in: dir))")

        // One CDR per contact in the store, with the trunk's final answer.
        let store = try DialerStore(directory: scratch.data)
        let expected = ["answer": "answered", "busy": "busy", "ring": "no_answer"]
        for campaign in campaigns {
            let cdrs = try store.cdrs(campaignID: campaign.id)
            #expect(cdrs.count == Self.contacts && cdrs.allSatisfy { $0.disposition == expected[campaign.name] },
                    "\(campaign.name): \(cdrs.map(\.disposition))")
        }
    }
}
