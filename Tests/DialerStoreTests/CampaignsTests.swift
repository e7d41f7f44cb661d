@testable import DialerStore
import Testing

/// Campaigns and their queued calls: an edit never moves the status, a list is queued in one
/// statement, and only pending calls may be changed or removed.
struct CampaignsTests {
    @Test func anEditKeepsTheStoredStatus() throws {
        let scratch = Scratch()
        var campaign = Campaign(id: "c1", name: "x", callsPerMinute: 60, maxConcurrent: 1, now: 0)
        try scratch.store.insert(campaign)
        _ = try scratch.store.apply(.start, toCampaign: "c1", now: 1)
        campaign.name = "renamed"
        try scratch.store.update(campaign)
        let stored = try #require(try scratch.store.campaign(id: "c1"))
        #expect(stored.name == "renamed" && stored.status == "running")
    }

    @Test func aListIsQueuedInItsOrder() throws {
        let scratch = Scratch()
        let list = ContactList(name: "l", createdAt: 0)
        try scratch.store.insert(list)
        try scratch.store.insert(["+3", "+1", "+2"].map { Contact(listId: list.id, phone: $0, createdAt: 0) })
        try scratch.store.insert(Campaign(id: "c1", name: "x", callsPerMinute: 60, maxConcurrent: 1, now: 0))
        #expect(try scratch.store.enqueue(listID: list.id, campaignID: "c1", priority: 2, dueAt: 10, now: 0) == 3)
        let calls = try scratch.store.campaignCalls(campaignID: "c1", status: "pending", after: nil, limit: 10)
        #expect(calls.map(\.phone) == ["+3", "+1", "+2"] && calls.allSatisfy { $0.priority == 2 && $0.dueAt == 10 && $0.contactId != nil })
    }

    @Test func onlyAPendingCallChangesOrGoes() throws {
        let scratch = Scratch()
        try scratch.store.insert(Campaign(id: "c1", name: "x", status: "running", callsPerMinute: 60, maxConcurrent: 1, now: 0))
        try scratch.store.insert([CampaignCall(id: "k1", campaignId: "c1", phone: "+1", dueAt: 0, now: 0),
                                  CampaignCall(id: "k2", campaignId: "c1", phone: "+2", dueAt: 5, now: 0),
                                  CampaignCall(id: "k3", campaignId: "c1", phone: "+3", dueAt: 9, now: 0)])
        _ = try scratch.store.leaseNextCall(campaignID: "c1", now: 1)
        #expect(try scratch.store.updatePendingCall(id: "k1", campaignID: "c1", priority: 9, dueAt: nil, now: 2) == false, "being dialed")
        #expect(try scratch.store.updatePendingCall(id: "k2", campaignID: "c1", priority: 9, dueAt: nil, now: 2) == true)
        #expect(try scratch.store.campaignCall(id: "k2")?.priority == 9)
        #expect(try scratch.store.updatePendingCall(id: "k2", campaignID: "other", priority: 1, dueAt: nil, now: 2) == nil)
        #expect(try scratch.store.removePendingCall(id: "k1", campaignID: "c1") == false)
        #expect(try scratch.store.removePendingCall(id: "k3", campaignID: "c1") == true)
        #expect(try scratch.store.clearPendingCalls(campaignID: "c1") == 1)
        #expect(try scratch.store.campaignProgress(id: "c1") == ["dialing": 1])
    }
}
