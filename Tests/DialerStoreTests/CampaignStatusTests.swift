@testable import DialerStore
import Testing

/// A campaign's life: the moves allowed between states, applied in one transaction, and
/// completion once nothing is left to dial.
struct CampaignStatusTests {
    @Test func onlyTheDocumentedMovesAreAllowed() {
        #expect(CampaignStatus.draft.after(.start) == .running)
        #expect(CampaignStatus.running.after(.pause) == .paused)
        #expect(CampaignStatus.paused.after(.resume) == .running)
        #expect(CampaignStatus.completed.after(.start) == .running)
        #expect(CampaignStatus.stopped.after(.start) == nil, "stopped is final")
        #expect(CampaignStatus.running.after(.resume) == nil)
        #expect(CampaignStatus.draft.after(.pause) == nil)
    }

    @Test func aRefusedMoveThrowsAndChangesNothing() throws {
        let scratch = Scratch()
        try scratch.store.insert(Campaign(id: "c1", name: "x", callsPerMinute: 60, maxConcurrent: 1, now: 0))
        #expect(try scratch.store.apply(.start, toCampaign: "c1", now: 5)?.status == "running")
        #expect(throws: CampaignTransitionRefused(from: .running, action: .resume)) { try scratch.store.apply(.resume, toCampaign: "c1", now: 6) }
        #expect(try scratch.store.campaign(id: "c1")?.status == "running")
        #expect(try scratch.store.apply(.start, toCampaign: "nope", now: 6) == nil)
        #expect(try scratch.store.runningCampaigns().map(\.id) == ["c1"])
    }

    @Test func aCampaignCompletesWhenNothingIsLeftOrWhenForced() throws {
        let scratch = Scratch()
        try scratch.store.insert(Campaign(id: "c1", name: "x", status: "running", callsPerMinute: 60, maxConcurrent: 1, now: 0))
        try scratch.store.insert([CampaignCall(id: "k1", campaignId: "c1", phone: "+1", dueAt: 0, now: 0)])
        #expect(try scratch.store.campaignProgress(id: "c1") == ["pending": 1])
        #expect(try !scratch.store.completeCampaign(id: "c1", force: false, now: 1))
        #expect(try scratch.store.completeCampaign(id: "c1", force: true, now: 2))
        #expect(try scratch.store.campaign(id: "c1")?.status == "completed")
        #expect(try !scratch.store.completeCampaign(id: "c1", force: true, now: 3), "only a running campaign completes")
    }
}
