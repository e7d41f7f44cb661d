import SIPCore
@testable import SIPUserAgent
import Testing

/// Transfers on a manual clock (RFC 3515): REFER sent and its NOTIFYs, REFER received and
/// followed or refused.
struct InviteSessionTransferTests {
    static let target = SIPURI(user: "agent", host: "192.0.2.30")

    @Test func aTransferEndsWithTheFinalNotifyAndABye() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let asked = h.feed(.transfer(to: Self.target))
        let refer = try #require(asked.requests.first)
        #expect(refer.method == .refer && refer.headers[.referTo] == "<sip:agent@192.0.2.30>")
        #expect(refer.headers[.referredBy] == "<sip:alice@192.0.2.10>")
        #expect(h.deadlines[.transfer] == h.now + .seconds(32))
        #expect(h.feed(.requestOutcome(.refer, request: refer, .response(h.response(202, to: refer)))).isEmpty)
        // A second transfer while one is pending is not sent.
        #expect(h.feed(.transfer(to: Self.target)).isEmpty)

        let trying = h.feed(.request(h.farRequest(.notify, headers: [SIPHeaderField(.event, "refer")], contentType: "message/sipfrag",
                                                  body: Array("SIP/2.0 100 Trying\r\n".utf8))))
        #expect(trying.responses.map(\.statusCode) == [200] && trying.ended == nil)
        let done = h.feed(.request(h.farRequest(.notify, headers: [SIPHeaderField(.event, "refer")], contentType: "message/sipfrag",
                                                body: Array("SIP/2.0 200 OK\r\n".utf8))))
        #expect(done.responses.map(\.statusCode) == [200])
        #expect(done.requests.first?.method == .bye && done.contains(.cancelTimer(.transfer)))
        #expect(done.ended?.transferCode == 200)
    }

    @Test func aRefusedReferEndsTheTransferWithItsCode() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let refer = try #require(h.feed(.transfer(to: Self.target)).requests.first)
        let refused = h.feed(.requestOutcome(.refer, request: refer, .response(h.response(603, to: refer))))
        #expect(refused.ended?.transferCode == 603 && refused.requests.first?.method == .bye)
    }

    @Test func noFinalNotifyIsRecordedAs408() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        h.feed(.transfer(to: Self.target))
        let fired = h.advance(by: .seconds(32))
        #expect(fired.ended?.transferCode == 408 && fired.requests.first?.method == .bye)
    }

    @Test func aReferIsRefusedUnlessTransfersAreFollowed() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let refer = h.farRequest(.refer, headers: [SIPHeaderField(.referTo, "<sip:agent@192.0.2.30>")])
        let actions = h.feed(.request(refer))
        #expect(actions.responses.map(\.statusCode) == [603] && !actions.contains(.followTransfer(Self.target)))
    }

    @Test func aFollowedReferIsReportedAndItsProgressNotified() throws {
        var h = InviteSessionHarness.uac(followsTransfers: true)
        try h.answered()
        let refer = h.farRequest(.refer, headers: [SIPHeaderField(.referTo, "<sip:agent@192.0.2.30>")])
        let actions = h.feed(.request(refer))
        #expect(actions.responses.map(\.statusCode) == [202])
        let notify = try #require(actions.requests.first)
        #expect(notify.method == .notify && notify.headers[.subscriptionState] == "active;expires=60")
        #expect(notify.body == Array("SIP/2.0 100 Trying\r\n".utf8))
        #expect(actions.last == .followTransfer(Self.target))
        // One at a time.
        #expect(h.feed(.request(h.farRequest(.refer, headers: [SIPHeaderField(.referTo, "<sip:agent@192.0.2.30>")]))).responses.map(\.statusCode) == [491])
        let final = try #require(h.feed(.reportTransfer(status: 200, reason: "OK")).requests.first)
        #expect(final.headers[.subscriptionState] == "terminated;reason=noresource" && final.body == Array("SIP/2.0 200 OK\r\n".utf8))
    }

    @Test func aReferWithoutAUsableTargetIs400() throws {
        var h = InviteSessionHarness.uac(followsTransfers: true)
        try h.answered()
        let actions = h.feed(.request(h.farRequest(.refer, headers: [SIPHeaderField(.referTo, "<tel:+15551234>")])))
        #expect(actions.responses.map(\.statusCode) == [400] && actions.requests.isEmpty)
    }
}
