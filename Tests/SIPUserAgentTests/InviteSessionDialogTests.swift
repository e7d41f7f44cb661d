import SDP
import SIPCore
@testable import SIPUserAgent
import Testing

/// The confirmed dialog, on a manual clock: far-end BYE, re-INVITE and UPDATE with
/// offer/answer from either side, glare, session refresh and expiry, challenged BYE, and
/// malformed in-dialog requests that must change nothing (RFC 3261 §12–§15, RFC 3264 §8,
/// RFC 3311, RFC 4028).
struct InviteSessionDialogTests {
    @Test func theFarEndsByeEndsTheCallWithItsCause() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let bye = h.farRequest(.bye, headers: [SIPHeaderField(.reason, "Q.850;cause=16")])
        let actions = h.feed(.request(bye))
        #expect(actions.responses.map(\.statusCode) == [200])
        let ended = try #require(actions.ended)
        #expect(ended.hungUpBy == .remote && ended.q850?.cause == 16 && ended.outcome == .answered)
        // A retransmitted BYE is answered again and ends nothing twice.
        let again = h.feed(.request(bye))
        #expect(again.responses.map(\.statusCode) == [200] && again.ended == nil)
    }

    @Test func aReInviteWithANewOfferIsAnsweredAndChangesTheAudio() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let hold = InviteSessionHarness.farOffer(port: 6100).body
        let actions = h.feed(.request(h.farRequest(.invite, body: hold)))
        guard case .respondUntilAcknowledged(let ok)? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(ok.statusCode == 200 && ok.headers[.contentType] == "application/sdp")
        let answer = try SDPParser().parse(ok.body)
        #expect(answer.origin.sessionVersion == 8 && answer.media.first?.port == 4000)
        guard case .mediaChanged(let audio)? = actions.events.first else {
            Issue.record("no media change: \(actions)")
            return
        }
        #expect(audio.remotePort == 6100)
        let sequence = try #require(ok.sequence)
        #expect(h.feed(.ack(h.farRequest(.ack, sequence: sequence))) == [.stopResending(sequence: sequence)])
    }

    @Test func aReInviteWithoutAnOfferGetsTheSessionAsANewOffer() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let actions = h.feed(.request(h.farRequest(.invite)))
        let ok = try #require(actions.responses.first)
        let offer = try SDPParser().parse(ok.body)
        #expect(ok.statusCode == 200 && offer.media.first?.port == 4000)
        #expect(actions.events.isEmpty)
    }

    @Test func anOfferWithNothingUsableIs488AndChangesNothing() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let actions = h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.imageOffer)))
        #expect(actions.responses.map(\.statusCode) == [488] && actions.events.isEmpty)
        // The session is as it was: the next offer is answered with the next version.
        let next = h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.farOffer().body)))
        #expect(try SDPParser().parse(#require(next.responses.first).body).origin.sessionVersion == 8)
    }

    @Test func anUpdateWithAnOfferIsAnsweredWithSDP() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        let actions = h.feed(.request(h.farRequest(.update, body: InviteSessionHarness.farOffer(port: 6200).body)))
        let ok = try #require(actions.responses.first)
        #expect(ok.statusCode == 200 && ok.headers[.contentType] == "application/sdp" && !ok.body.isEmpty)
        guard case .mediaChanged(let audio)? = actions.events.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(audio.remotePort == 6200)
        let plain = h.feed(.request(h.farRequest(.update)))
        #expect(plain.responses.first?.statusCode == 200 && plain.responses.first?.body.isEmpty == true)
    }

    @Test func theUASAnswersReOffersTheSameWay() throws {
        var (h, invite) = InviteSessionHarness.uas()
        h.feed(.accept(media: try InviteSessionSetupTests().answerTo(invite), via: InviteSessionHarness.via, cancelled: false))
        let actions = h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.farOffer(port: 6300).body)))
        #expect(actions.responses.map(\.statusCode) == [200])
        guard case .mediaChanged(let audio)? = actions.events.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(audio.remotePort == 6300)
    }

    @Test func thisSideRefreshesTheSessionAndAcknowledgesTheAnswer() throws {
        var h = InviteSessionHarness.uac()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "120;refresher=uac")])
        #expect(h.deadlines[.refresh] == h.now + .seconds(60))
        let fired = h.advance(by: .seconds(60))
        // No UPDATE in the far end's Allow: a re-INVITE with the session's SDP, a new version.
        let refresh = try #require(fired.requests.first)
        #expect(refresh.method == .invite && refresh.headers[.sessionExpires] == "120;refresher=uac")
        #expect(try SDPParser().parse(refresh.body).origin.sessionVersion == 8)
        let ok = h.response(200, to: refresh, headers: [SIPHeaderField(.sessionExpires, "120;refresher=uac")])
        let answered = h.feed(.requestOutcome(.refresh, request: refresh, .response(ok)))
        #expect(answered.compactMap(\.ack).first?.sequence == refresh.sequence)
        #expect(h.deadlines[.refresh] == h.now + .seconds(60))
    }

    @Test func aPeerThatAllowsUpdateIsRefreshedWithUpdate() throws {
        var h = InviteSessionHarness.uac()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "90;refresher=uac"), SIPHeaderField(.allow, "INVITE, ACK, BYE, UPDATE")])
        let refresh = try #require(h.advance(by: .seconds(45)).requests.first)
        #expect(refresh.method == .update && refresh.body.isEmpty)
    }

    @Test func glareIs491BothWaysAndTheRefreshIsRetriedLater() throws {
        var h = InviteSessionHarness.uac()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "120;refresher=uac")])
        let refresh = try #require(h.advance(by: .seconds(60)).requests.first)
        // The far end's re-INVITE crosses this side's.
        let theirs = h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.farOffer().body)))
        #expect(theirs.responses.map(\.statusCode) == [491] && theirs.events.isEmpty)
        let glare = h.feed(.requestOutcome(.refresh, request: refresh, .response(h.response(491, to: refresh))))
        // §14.1: the Call-ID's owner waits 2.1–4 s (the injected random 0.5 makes 3.05 s).
        #expect(glare == [.startTimer(.refresh, after: .milliseconds(3050))])
        let again = try #require(h.advance(by: .milliseconds(3050)).requests.first)
        let (first, second) = (try #require(try refresh.headers.cseq()), try #require(try again.headers.cseq()))
        #expect(again.method == .invite && second.sequence > first.sequence)
    }

    @Test func aSessionTheFarEndDoesNotRefreshEndsWithBye() throws {
        var h = InviteSessionHarness.uac()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "90;refresher=uas")])
        // RFC 4028 §10: interval minus min(32, interval/3) = 60 s.
        let fired = h.advance(by: .seconds(60))
        let bye = try #require(fired.requests.first)
        #expect(bye.method == .bye && Q850Cause(bye.headers)?.cause == 102)
        #expect(fired.ended?.hungUpBy == .local)
    }

    @Test func aRefreshFromTheFarEndRestartsTheTimer() throws {
        var h = InviteSessionHarness.uac()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "90;refresher=uas")])
        h.now += .seconds(50)
        let update = h.feed(.request(h.farRequest(.update, headers: [SIPHeaderField(.sessionExpires, "90;refresher=uac"),
                                                                     SIPHeaderField(.supported, "timer")])))
        let ok = try #require(update.responses.first)
        #expect(ok.headers[.sessionExpires] == "90;refresher=uac" && ok.headers[.require] == "timer")
        #expect(h.deadlines[.expiry] == h.now + .seconds(60))
    }

    @Test func aChallengedByeIsSentAgainWithCredentials() throws {
        var h = InviteSessionHarness.uac(credentials: true)
        try h.answered()
        let hangUp = h.feed(.hangUp)
        let bye = try #require(hangUp.requests.first)
        #expect(hangUp.ended != nil)
        let challenge = h.response(401, to: bye, headers: [SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n1""#)])
        let retry = try #require(h.feed(.requestOutcome(.bye, request: bye, .response(challenge))).requests.first)
        #expect(retry.method == .bye && retry.headers[.authorization] != nil)
        #expect(retry.sequence! == bye.sequence! + 1)
    }

    @Test func malformedInDialogRequestsAreRefusedAndChangeNothing() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        // Another dialog's tag: 481; the call stays up.
        let stranger = h.feed(.request(h.farRequest(.bye, fromTag: "someone-else")))
        #expect(stranger.responses.map(\.statusCode) == [481] && stranger.ended == nil)
        // A CSeq below the last one seen: 500, nothing else.
        h.feed(.request(h.farRequest(.info)))
        let late = h.feed(.request(h.farRequest(.bye, sequence: 50)))
        #expect(late.responses.map(\.statusCode) == [500] && late.ended == nil)
        // A method it does not take in a dialog: 405 with Allow; one it does not know: 501.
        let message = h.feed(.request(h.farRequest(.message)))
        #expect(message.responses.first?.statusCode == 405 && message.responses.first?.headers[.allow] != nil)
        #expect(h.feed(.request(h.farRequest("FROBNICATE"))).responses.map(\.statusCode) == [501])
        // A re-INVITE whose SDP does not parse: 488, and the audio is as it was.
        let garbage = h.feed(.request(h.farRequest(.invite, body: Array("not sdp".utf8))))
        #expect(garbage.responses.map(\.statusCode) == [488] && garbage.events.isEmpty)
        // Through all of that the call stayed up: this side's hang-up is a BYE.
        #expect(h.feed(.hangUp).requests.first?.method == .bye)
    }

    @Test func requestsBeforeTheDialogExistsAre481() {
        var (h, _) = InviteSessionHarness.uas()
        #expect(h.feed(.request(h.farRequest(.bye))).responses.map(\.statusCode) == [481])
    }

    @Test func afterTheEndTheSessionLingersThenReleases() throws {
        var h = InviteSessionHarness.uac()
        try h.answered()
        h.feed(.hangUp)
        #expect(h.deadlines[.linger] == h.now + .seconds(32))
        #expect(h.advance(by: .seconds(31)).isEmpty)
        #expect(h.advance(by: .seconds(1)) == [.release])
    }
}
