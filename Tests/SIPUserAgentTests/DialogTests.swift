import NIOCore
import SIPCore
import SIPUserAgent
import Testing

/// RFC 3261 §12 dialog state built from hand-written messages: no sockets.
struct DialogTests {
    func parse(_ lines: [String], body: String = "") throws -> SIPMessage {
        let text = lines.joined(separator: "\r\n") + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        return try SIPMessageParser().parseDatagram(Array(text.utf8))
    }

    func invite() throws -> SIPRequest {
        guard case .request(let r) = try parse([
            "INVITE sip:bob@biloxi.example.com SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
            "Max-Forwards: 70",
            "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774",
            "To: <sip:bob@biloxi.example.com>",
            "Call-ID: a84b4c76e66710",
            "CSeq: 314159 INVITE",
            "Contact: <sip:alice@192.0.2.10>",
        ]) else { throw SIPSyntaxError("not a request") }
        return r
    }

    func answer(_ code: Int = 200, recordRoute: [String], contact: String = "<sip:bob@192.0.2.4>") throws -> SIPResponse {
        guard case .response(let r) = try parse([
            "SIP/2.0 \(code) OK",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
        ] + recordRoute.map { "Record-Route: \($0)" } + [
            "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774",
            "To: <sip:bob@biloxi.example.com>;tag=a6c85cf",
            "Call-ID: a84b4c76e66710",
            "CSeq: 314159 INVITE",
            "Contact: \(contact)",
        ]) else { throw SIPSyntaxError("not a response") }
        return r
    }

    let via = Via(transport: "UDP", host: "192.0.2.10", port: 5060, parameters: [SIPParameter("branch", "z9hG4bKnew")])

    @Test func uacDialogFromTwoHundredReversesRecordRouteAndUsesLooseRouting() throws {
        let ok = try answer(recordRoute: ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"])
        var dialog = try #require(SIPDialog(request: try invite(), response: ok))
        #expect(dialog.state == .confirmed)
        #expect(dialog.id == SIPDialog.ID(callID: "a84b4c76e66710", localTag: "1928301774", remoteTag: "a6c85cf"))
        #expect(dialog.routeSet.map(\.uri.host) == ["p1.example.com", "p2.example.com"])
        #expect(dialog.nextHop.host == "p1.example.com")
        let bye = dialog.request(.bye, via: via)
        #expect(bye.uri.description == "sip:bob@192.0.2.4")
        #expect(bye.headers.values(.route) == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(try bye.headers.cseq() == CSeq(314160, .bye))
        #expect(try bye.headers.to()?.tag == "a6c85cf")
        #expect(try bye.headers.from()?.tag == "1928301774")
        let ack = dialog.request(.ack, via: via, sequence: 314159)
        #expect(try ack.headers.cseq() == CSeq(314159, .ack))
        #expect(dialog.localSequence == 314160, "ACK does not consume a CSeq number")
    }

    @Test func strictRouterBecomesTheRequestURI() throws {
        let ok = try answer(recordRoute: ["<sip:strict.example.com>"])
        var dialog = try #require(SIPDialog(request: try invite(), response: ok))
        let bye = dialog.request(.bye, via: via)
        // §12.2.1.1: Request-URI is the strict router, the remote target goes last in Route.
        #expect(bye.uri.host == "strict.example.com")
        #expect(bye.headers.values(.route) == ["<sip:bob@192.0.2.4>"])
    }

    @Test func earlyDialogIsConfirmedAndTargetRefreshed() throws {
        let ringing = try answer(183, recordRoute: [], contact: "<sip:bob@192.0.2.99>")
        var dialog = try #require(SIPDialog(request: try invite(), response: ringing))
        #expect(dialog.state == .early)
        dialog.confirm(by: try answer(recordRoute: []))
        #expect(dialog.state == .confirmed)
        #expect(dialog.remoteTarget.host == "192.0.2.4")
    }

    @Test func twoHundredWithoutContactMakesNoDialog() throws {
        guard case .response(let ok) = try parse([
            "SIP/2.0 200 OK",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
            "From: <sip:alice@atlanta.example.com>;tag=1928301774",
            "To: <sip:bob@biloxi.example.com>;tag=a6c85cf",
            "Call-ID: a84b4c76e66710",
            "CSeq: 314159 INVITE",
        ]) else { return }
        #expect(SIPDialog(request: try invite(), response: ok) == nil)
    }

    @Test func uasDialogRejectsOutOfOrderCSeq() throws {
        var dialog = try #require(SIPDialog(request: try invite(), localTag: "uas1", confirmed: true))
        #expect(dialog.remoteSequence == 314159)
        #expect(dialog.local.tag == "uas1")
        var bye = try invite()
        bye.method = .bye
        bye.headers.set(.cseq, "314158 BYE")
        let lower = dialog.acceptRemoteSequence(of: bye)
        #expect(!lower, "lower CSeq is out of order (§12.2.2): 500")
        bye.headers.set(.cseq, "314170 BYE")
        let higher = dialog.acceptRemoteSequence(of: bye)
        #expect(higher)
        #expect(dialog.remoteSequence == 314170)
        let ours = dialog.request(.bye, via: via)
        #expect(try ours.headers.cseq()?.sequence == 1)
        #expect(try ours.headers.from()?.tag == "uas1")
    }
}
