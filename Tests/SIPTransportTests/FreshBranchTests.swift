import SIPCore
@testable import SIPTransport
import Testing

/// Each attempt of a request is a new client transaction: its top Via gets a new branch
/// (RFC 3263 §4.3), appended when it had none, replaced when it had one; other Vias stay.
struct FreshBranchTests {
    func request(via: String) -> SIPRequest {
        SIPRequest(method: .invite, uri: SIPURI(host: "example.com"), headers: [(.via, via), (.callID, "c1")])
    }

    func topVia(_ r: SIPRequest) throws -> Via {
        try Via(parsing: try #require(r.headers.listValues(.via).first))
    }

    @Test func aViaWithoutBranchGetsOne() throws {
        let fresh = SIPTransactionLayer.withFreshBranch(request(via: "SIP/2.0/UDP 127.0.0.1:5060;rport"))
        let via = try topVia(fresh)
        #expect(via.hasRFC3261Branch && via.sentBy == "127.0.0.1:5060" && via.parameters.contains(parameter: "rport"))
        let again = try topVia(SIPTransactionLayer.withFreshBranch(request(via: "SIP/2.0/UDP 127.0.0.1:5060;rport")))
        #expect(again.branch != via.branch)
    }

    @Test func aBranchIsReplacedAndLaterViasKept() throws {
        let original = request(via: "SIP/2.0/UDP 127.0.0.1:5060;Branch=z9hG4bK-old;rport, SIP/2.0/TCP proxy.example.com;branch=z9hG4bK-p")
        let fresh = SIPTransactionLayer.withFreshBranch(original)
        let vias = fresh.headers.listValues(.via)
        #expect(vias.count == 2 && vias[1].contains("z9hG4bK-p"), "\(vias)")
        let top = try topVia(fresh)
        #expect(top.branch != "z9hG4bK-old" && top.hasRFC3261Branch, "\(vias)")
    }

    @Test func branchIsFoundInAnyCaseAndOnlyWhole() {
        #expect(SIPTransactionLayer.mentionsBranch("SIP/2.0/UDP h;BRANCH=z9hG4bK1"))
        #expect(SIPTransactionLayer.mentionsBranch("SIP/2.0/UDP h;bbranch=1"))
        #expect(!SIPTransactionLayer.mentionsBranch("SIP/2.0/UDP h;branc;h=1;rport"))
        #expect(!SIPTransactionLayer.mentionsBranch("SIP/2.0/UDP h;BRANC"))
    }
}
