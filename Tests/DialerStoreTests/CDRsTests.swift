@testable import DialerStore
import Testing

/// CDRs: the disposition follows outcome, SIP code and Q.850 cause; statistics count by it;
/// pages follow the order written.
struct CDRsTests {
    @Test func theDispositionFollowsTheOutcomeAndCauses() {
        #expect(CallDisposition(outcome: "no-answer", sipCode: 480, q850Cause: nil) == .noAnswer)
        #expect(CallDisposition(outcome: "unreachable", sipCode: nil, q850Cause: nil) == .channelUnavailable)
        #expect(CallDisposition(outcome: "rejected", sipCode: 503, q850Cause: nil) == .congestion)
        #expect(CallDisposition(outcome: "rejected", sipCode: 500, q850Cause: 34) == .congestion)
        #expect(CallDisposition(outcome: "rejected", sipCode: 404, q850Cause: 1) == .failed)
        var cdr = CDR(attemptId: nil, campaignId: nil, phone: "+1", outcome: "rejected", sipCode: 404, startedAt: 0, endedAt: 1)
        #expect(cdr.disposition == "failed")
        cdr.sipCode = 503
        #expect(cdr.disposition == "congestion")
    }

    @Test func statisticsCountEachDispositionWithinTheFilter() throws {
        let scratch = Scratch()
        for (i, outcome) in ["answered", "answered", "busy", "no-answer", "dnd"].enumerated() {
            try scratch.store.save(CDR(attemptId: nil, campaignId: nil, phone: "+\(i)", outcome: outcome, startedAt: Double(i), endedAt: Double(i) + 1))
        }
        let all = try scratch.store.statistics(CDRFilter())
        #expect(all.total == 5 && all.answered == 2 && all.busy == 1 && all.noAnswer == 1 && all.dnd == 1)
        let late = try scratch.store.statistics(CDRFilter(from: 2, to: 4))
        #expect(late.total == 2 && late.busy == 1 && late.noAnswer == 1)
    }

    @Test func statisticsCountTheAnsweringMachineVerdicts() throws {
        let scratch = Scratch()
        let verdicts: [String?] = [
            #"{"verdict":"human","revised":false,"message_started_ms":null}"#,
            #"{"verdict":"machine","revised":false,"message_started_ms":15075}"#,
            #"{"verdict":"machine","revised":true,"message_started_ms":9800}"#,
            #"{"verdict":"machine","revised":false,"message_started_ms":null}"#,
            #"{"verdict":"notsure","revised":false}"#,
            #"{"verdict":"silence","revised":false}"#,
            #"{"verdict":"fax","revised":false}"#,
            nil,
        ]
        for (i, amd) in verdicts.enumerated() {
            var cdr = CDR(attemptId: nil, campaignId: i < 4 ? "c1" : "c2", phone: "+\(i)", outcome: "answered", startedAt: Double(i), endedAt: Double(i) + 1)
            cdr.amd = amd
            try scratch.store.save(cdr)
        }
        let all = try scratch.store.statistics(CDRFilter())
        #expect(all.total == 8 && all.answered == 8)
        #expect(all.amdHuman == 1 && all.amdMachine == 3 && all.amdNotsure == 1 && all.amdSilence == 1 && all.amdFax == 1)
        #expect(all.amdRevised == 1 && all.amdMessagesLeft == 2)
        let first = try scratch.store.statistics(CDRFilter(campaignID: "c1"))
        #expect(first.amdHuman == 1 && first.amdMachine == 3 && first.amdFax == 0 && first.amdMessagesLeft == 2)
    }

    @Test func savingAgainReplacesAndPagesFollowTheWritingOrder() throws {
        let scratch = Scratch()
        var first = CDR(id: "a", attemptId: nil, campaignId: nil, phone: "+1", outcome: "interrupted", startedAt: 5, endedAt: 5)
        try scratch.store.save(first)
        try scratch.store.save(CDR(id: "b", attemptId: nil, campaignId: nil, phone: "+2", outcome: "answered", startedAt: 1, endedAt: 2))
        first.outcome = "answered"
        try scratch.store.save(first)
        #expect(try scratch.store.cdr(id: "a")?.disposition == "answered")
        #expect(try scratch.store.cdrs(CDRFilter(), after: nil, limit: 10).map(\.id) == ["a", "b"])
        #expect(try scratch.store.cdrs(CDRFilter(), after: "a", limit: 10).map(\.id) == ["b"])
        #expect(try scratch.store.cdrs().map(\.id) == ["b", "a"], "oldest start first")
    }
}
