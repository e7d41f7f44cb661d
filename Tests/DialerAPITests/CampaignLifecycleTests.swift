import DialerStore
import Foundation
import Testing

/// A campaign's life through the API: start, pause, resume, stop, each allowed only from the
/// states it applies to (409 otherwise); the list shows the newest first.
@Suite(.serialized)
struct CampaignLifecycleTests {
    @Test func aCampaignMovesThroughItsStatesAndRefusesWrongMoves() async throws {
        try await RESTTests.withServer { base, token, _ in
            let (campaign, _) = try await CampaignCallRoutesTests.newCampaign(base, token)
            func act(_ action: String) async throws -> (Int, String?) {
                let (status, body) = try await RESTTests.send("POST", campaign.appendingPathComponent(action), token: token)
                return (status, body["status"] as? String ?? RESTTests.error(body).code)
            }
            #expect(try await act("pause") == (409, "invalid_state"))
            #expect(try await act("start") == (200, "running"))
            #expect(try await act("start") == (409, "invalid_state"))
            #expect(try await act("pause") == (200, "paused"))
            #expect(try await act("resume") == (200, "running"))
            #expect(try await act("stop") == (200, "stopped"))
            #expect(try await act("resume") == (409, "invalid_state"), "stopped is final")
            let (missing, _) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns/nope/start"), token: token)
            #expect(missing == 404)
            _ = try await CampaignCallRoutesTests.newCampaign(base, token)
            let (_, list) = try await RESTTests.send("GET", base.appendingPathComponent("v1/campaigns"), token: token)
            #expect((list["campaigns"] as? [[String: Any]] ?? []).map { $0["status"] as? String } == ["draft", "stopped"])
        }
    }

    @Test(arguments: CampaignStatus.allCases)
    func everyStateAllowsExactlyItsMoves(state: CampaignStatus) {
        let allowed = CampaignAction.allCases.filter { state.after($0) != nil }.map(\.rawValue)
        let expected: [CampaignStatus: [String]] = [.draft: ["start", "stop"], .running: ["pause", "stop"], .paused: ["resume", "stop"], .stopped: [],
                                                         .completed: ["start", "stop"]]
        #expect(allowed == expected[state])
    }
}
