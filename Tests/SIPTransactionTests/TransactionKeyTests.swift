import SIPCore
import SIPTransaction
import Testing

/// Matching per RFC 3261 §17.1.3, §17.2.3 and §9.2, and merged requests per §8.2.2.2.
struct TransactionKeyTests {
    @Test func responseMatchesClientTransactionByBranchAndMethod() {
        let invite = Fixtures.request(.invite)
        let ok = Fixtures.response(200, to: invite)
        // As the transaction layer finds it: from the top Via the validator parsed.
        let checked = SIPMessageValidator().checkResponse(ok)
        #expect(checked.verdict.disposition == .accept)
        let key = checked.topVia.flatMap { SIPTransactionKey.client(for: ok, topVia: $0) }
        #expect(key == SIPTransactionKey.client(for: invite))
        let options = Fixtures.request(.options)
        #expect(key != SIPTransactionKey.client(for: options))
    }

    @Test func ackAndCancelFindTheirInvite() {
        let invite = Fixtures.request(.invite)
        let ack = Fixtures.request(.ack, toTag: "t")
        let cancel = Fixtures.request(.cancel)
        #expect(SIPTransactionKey.server(for: ack) == SIPTransactionKey.server(for: invite))
        #expect(SIPTransactionKey.server(for: cancel) != SIPTransactionKey.server(for: invite))
        #expect(SIPTransactionKey.cancelled(by: cancel) == SIPTransactionKey.server(for: invite))
    }

    @Test func sentByIsPartOfServerKey() {
        let a = Fixtures.request(.options, sentBy: "192.0.2.1:5060")
        let b = Fixtures.request(.options, sentBy: "192.0.2.2:5060")
        #expect(SIPTransactionKey.server(for: a) != SIPTransactionKey.server(for: b))
    }

    @Test func rfc2543RequestsMatchOnDialogFields() {
        let invite = Fixtures.request(.invite, branch: "old-style-1")
        let retransmission = Fixtures.request(.invite, branch: "old-style-1")
        let ack = Fixtures.request(.ack, branch: "old-style-1", toTag: "added-by-us")
        let other = Fixtures.request(.invite, branch: "old-style-1", cseq: 2)
        guard case .legacyServer = SIPTransactionKey.server(for: invite) else { Issue.record("not legacy"); return }
        #expect(SIPTransactionKey.server(for: retransmission) == SIPTransactionKey.server(for: invite))
        #expect(SIPTransactionKey.server(for: ack) == SIPTransactionKey.server(for: invite))
        #expect(SIPTransactionKey.server(for: other) != SIPTransactionKey.server(for: invite))
    }

    @Test func bareMagicCookieFallsBackToRFC2543Matching() {
        let req = Fixtures.request(.options, branch: "z9hG4bK")
        guard case .legacyServer = SIPTransactionKey.server(for: req) else { Issue.record("expected fallback"); return }
    }

    @Test func mergedRequestKeyIgnoresBranch() {
        let a = Fixtures.request(.invite, branch: "z9hG4bK-path1")
        let b = Fixtures.request(.invite, branch: "z9hG4bK-path2")
        #expect(SIPMergeKey(a) == SIPMergeKey(b))
        #expect(SIPTransactionKey.server(for: a) != SIPTransactionKey.server(for: b))
        #expect(SIPMergeKey(Fixtures.request(.bye, toTag: "x")) == nil)
    }
}
