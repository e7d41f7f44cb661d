import SDP
import SIPCore
@testable import SIPUserAgent
import Testing

/// How a session comes up, on a manual clock: the UAC's INVITE and each way it can end
/// before or at the answer (RFC 3261 §13.2, §9.1, §22, RFC 3262, RFC 4028 §7.4), and the
/// UAS's answer (§13.3.1.4).
struct InviteSessionSetupTests {
    @Test func anAnsweredCallIsAcknowledgedAndTimed() throws {
        var h = InviteSessionHarness.uac()
        let start = h.feed(.start)
        let invite = try #require(start.compactMap(\.invite).first)
        #expect(start.contains(.startTimer(.ring, after: .seconds(30))))
        #expect(invite.method == .invite && invite.headers[.sessionExpires] == "1800")
        #expect(invite.headers[.supported] == "100rel, timer" && invite.headers[.contentType] == "application/sdp")
        h.feed(.inviteSent(invite))

        h.now += .milliseconds(200)
        #expect(h.feed(.inviteResponse(h.response(100, to: invite))).isEmpty)
        h.now += .milliseconds(800)
        #expect(h.feed(.inviteResponse(h.response(180, to: invite))).events == [.progress(180)])
        h.now += .seconds(2)
        let answer = InviteSessionHarness.farOffer().body
        let ok = h.feed(.inviteResponse(h.response(200, to: invite, body: answer)))
        let ack = try #require(ok.compactMap(\.ack).first)
        #expect(ack.method == .ack && ack.sequence == 1 && ack.uri == InviteSessionHarness.farContact.uri)
        #expect(ok.contains(.cancelTimer(.ring)))
        #expect(ok.events == [.answered(sdp: answer)])
        #expect(h.deadlines[.ring] == nil)

        h.now += .seconds(5)
        let ended = try #require(h.feed(.hangUp).ended)
        #expect(ended.outcome == .answered && ended.sipCode == 200 && ended.hungUpBy == .local)
        #expect(ended.firstResponse == 0.2 && ended.ringing == 1 && ended.answered == 3 && ended.ended == 8)
        #expect(ended.provisionals == [180])
    }

    @Test func busyEndsTheCallWithTheFarEndsCause() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        let busy = h.response(486, to: invite, headers: [SIPHeaderField(.reason, "Q.850;cause=17;text=\"User busy\"")])
        let actions = h.feed(.inviteResponse(busy))
        let ended = try #require(actions.ended)
        #expect(ended.outcome == .busy && ended.sipCode == 486 && ended.q850?.cause == 17)
        #expect(actions.contains(.cancelTimer(.ring)) && actions.contains(.startTimer(.linger, after: .seconds(32))))
        #expect(h.advance(by: .seconds(32)) == [.release])
    }

    @Test func theRingTimeoutCancelsAndEndsAsNoAnswer() throws {
        var h = InviteSessionHarness.uac(ringTimeout: .seconds(20))
        let invite = try h.start()
        h.feed(.inviteResponse(h.response(180, to: invite)))
        let fired = h.advance(by: .seconds(20))
        let cancel = try #require(fired.compactMap(\.cancel).first)
        #expect(cancel.method == .cancel && cancel.headers[.via] == invite.headers[.via] && cancel.uri == invite.uri)
        #expect(cancel.headers[.cseq] == "1 CANCEL")
        #expect(Q850Cause(cancel.headers) == .noAnswer)
        let ended = try #require(h.feed(.inviteResponse(h.response(487, to: invite))).ended)
        #expect(ended.outcome == .noAnswer && ended.sipCode == 487)
    }

    @Test func aCancelWaitsForTheFirstProvisional() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        // §9.1: a CANCEL before any response could overtake the INVITE.
        #expect(h.feed(.hangUp).isEmpty)
        let cancel = try #require(h.feed(.inviteResponse(h.response(100, to: invite))).compactMap(\.cancel).first)
        #expect(Q850Cause(cancel.headers) == .normalUnspecified)
        #expect(h.feed(.inviteResponse(h.response(180, to: invite))).compactMap(\.cancel).isEmpty)
        #expect(try #require(h.feed(.inviteResponse(h.response(487, to: invite))).ended).outcome == .cancelled)
    }

    @Test func anAnswerThatCrossesTheCancelIsAcknowledgedAndHungUp() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        h.feed(.inviteResponse(h.response(180, to: invite)))
        #expect(h.feed(.hangUp).compactMap(\.cancel).count == 1)
        let actions = h.feed(.inviteResponse(h.response(200, to: invite, body: InviteSessionHarness.farOffer().body)))
        #expect(actions.compactMap(\.ack).count == 1)
        let bye = try #require(actions.requests.first)
        #expect(bye.method == .bye && Q850Cause(bye.headers) == .normalUnspecified)
        let ended = try #require(actions.ended)
        #expect(ended.outcome == .answered && ended.hungUpBy == .local)
        #expect(!actions.events.contains(.answered(sdp: InviteSessionHarness.farOffer().body)))
    }

    @Test func aChallengedInviteIsSentAgainWithCredentialsOnce() throws {
        var h = InviteSessionHarness.uac(credentials: true)
        let invite = try h.start()
        let challenge = h.response(407, to: invite, headers: [SIPHeaderField(.proxyAuthenticate, #"Digest realm="trunk", nonce="n1""#)])
        let retry = try #require(h.feed(.inviteResponse(challenge)).compactMap(\.invite).first)
        #expect(retry.sequence == 2 && retry.headers[.proxyAuthorization] != nil)
        h.feed(.inviteSent(retry))
        let again = h.response(407, to: retry, headers: [SIPHeaderField(.proxyAuthenticate, #"Digest realm="trunk", nonce="n2""#)])
        let ended = try #require(h.feed(.inviteResponse(again)).ended)
        guard case .rejected(407, _) = ended.outcome else {
            Issue.record("\(ended.outcome)")
            return
        }
    }

    @Test func withoutCredentialsAChallengeEndsTheCall() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        let challenge = h.response(401, to: invite, headers: [SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n1""#)])
        let actions = h.feed(.inviteResponse(challenge))
        #expect(actions.compactMap(\.invite).isEmpty && actions.ended?.sipCode == 401)
    }

    @Test func earlyMediaIsReportedOnceWithTheFirstAnswer() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        let sdp = InviteSessionHarness.farOffer().body
        #expect(h.feed(.inviteResponse(h.response(183, to: invite, body: sdp))).events == [.progress(183), .earlyMedia(sdp: sdp)])
        #expect(h.feed(.inviteResponse(h.response(183, to: invite, body: sdp))).events == [.progress(183)])
    }

    @Test func reliableProvisionalsArePrackedOncePerRSeq() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        let reliable = h.response(180, to: invite, headers: [SIPHeaderField(.require, "100rel"), SIPHeaderField(.rseq, "7")])
        let first = h.feed(.inviteResponse(reliable))
        let prack = try #require(first.requests.first)
        #expect(prack.method == .prack && prack.headers[.rack] == "7 1 INVITE" && prack.uri == InviteSessionHarness.farContact.uri)
        #expect(prack.toTag == h.remoteTag && prack.sequence == 2)
        #expect(first.events == [.progress(180)])
        // A retransmission (same RSeq) is neither reported nor acknowledged again.
        #expect(h.feed(.inviteResponse(reliable)).isEmpty)
        let next = h.response(183, to: invite, headers: [SIPHeaderField(.require, "100rel"), SIPHeaderField(.rseq, "8")])
        #expect(h.feed(.inviteResponse(next)).requests.first?.headers[.rack] == "8 1 INVITE")
    }

    @Test func aSecondForkIsAcknowledgedAndEndedAndTheFirstKept() throws {
        var h = InviteSessionHarness.uac()
        let invite = try h.start()
        let sdp = InviteSessionHarness.farOffer().body
        let first = h.feed(.inviteResponse(h.response(200, to: invite, tag: "fork-a", body: sdp)))
        let ack = try #require(first.compactMap(\.ack).first)
        let second = h.feed(.inviteResponse(h.response(200, to: invite, tag: "fork-b", body: sdp)))
        let forkAck = try #require(second.compactMap(\.ack).first)
        #expect(forkAck.toTag == "fork-b")
        let bye = try #require(second.requests.first)
        #expect(bye.method == .bye && bye.toTag == "fork-b")
        #expect(second.events.isEmpty)
        // A retransmission of the kept fork's 2xx, after its transaction ended, gets the same ACK.
        let again = h.feed(.strayResponse(h.response(200, to: invite, tag: "fork-a", body: sdp)))
        #expect(again.compactMap(\.ack) == [ack])
        #expect(h.feed(.hangUp).requests.first?.toTag == "fork-a")
    }

    @Test func noResponseIsUnreachableAndATransportFailureSaysWhere() throws {
        var h = InviteSessionHarness.uac()
        _ = try h.start()
        #expect(h.feed(.inviteTimedOut).ended?.outcome == .unreachable("no response to the INVITE (Timer B)"))
        var other = InviteSessionHarness.uac()
        _ = try other.start()
        #expect(other.feed(.inviteUnreachable("cannot reach udp:192.0.2.20:5060")).ended?.outcome == .unreachable("cannot reach udp:192.0.2.20:5060"))
    }

    @Test func a422IsRetriedWithTheFarEndsMinimum() throws {
        var h = InviteSessionHarness.uac(sessionExpires: 90)
        let invite = try h.start()
        let tooBrief = h.response(422, to: invite, headers: [SIPHeaderField(.minSE, "300")])
        let retry = try #require(h.feed(.inviteResponse(tooBrief)).compactMap(\.invite).first)
        #expect(retry.headers[.sessionExpires] == "300" && retry.headers[.minSE] == "300" && retry.sequence == 2)
    }

    @Test func hangingUpBeforeTheStartEndsAsCancelled() {
        var h = InviteSessionHarness.uac()
        #expect(h.feed(.hangUp).ended?.outcome == .cancelled)
        #expect(h.feed(.start).compactMap(\.invite).isEmpty)
    }

    // MARK: UAS

    @Test func theUASAnswerIsResentUntilItsAck() throws {
        var (h, invite) = InviteSessionHarness.uas()
        let answer = try answerTo(invite)
        let actions = h.feed(.accept(media: answer, via: InviteSessionHarness.via, cancelled: false))
        guard case .respondUntilAcknowledged(let ok)? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(ok.statusCode == 200 && ok.body == answer.body && ok.toTag == "near")
        #expect(ok.headers[.contact] == InviteSessionHarness.contact.description && ok.headers[.allow] != nil)
        #expect(actions.events == [.answered(sdp: answer.body)])
        let ack = h.farRequest(.ack, sequence: 1)
        #expect(h.feed(.ack(ack)) == [.stopResending(sequence: 1)])
        h.now += .seconds(4)
        let ended = try #require(h.feed(.hangUp).ended)
        #expect(ended.outcome == .answered && ended.hungUpBy == .local && ended.ended == 4 && ended.answered == 0)
    }

    /// An owner's answer in place of the audio (T.38 to an INVITE offering it alone): the 200
    /// carries it with the session's o= identity, and a refresh offers it again.
    @Test func theUASAnswersWithTheOwnersDescriptionWhenGivenOne() throws {
        var (h, invite) = InviteSessionHarness.uas()
        let audio = try answerTo(invite)
        let actions = h.feed(.accept(media: audio, via: InviteSessionHarness.via, cancelled: false, ownerSDP: InviteSessionReofferTests.localImage))
        guard case .respondUntilAcknowledged(let ok)? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        let sent = try SDPParser().parse(ok.body)
        #expect(sent.media.map(\.media) == ["image"] && sent.origin.sessionID == String(audio.sessionID), "\(String(decoding: ok.body, as: UTF8.self))")
        #expect(actions.events == [.answered(sdp: ok.body)])
    }

    @Test func aUASWhoseAnswerIsNeverAcknowledgedHangsUp() throws {
        var (h, invite) = InviteSessionHarness.uas()
        h.feed(.accept(media: try answerTo(invite), via: InviteSessionHarness.via, cancelled: false))
        let actions = h.feed(.ackMissing(sequence: 1))
        let bye = try #require(actions.requests.first)
        #expect(bye.method == .bye && bye.uri == InviteSessionHarness.farContact.uri && bye.fromTag == "near")
        #expect(actions.ended?.reason == "no ACK for the 2xx" && actions.ended?.hungUpBy == .local)
    }

    @Test func aUASCancelledBeforeItsAnswerSendsNothing() throws {
        var (h, invite) = InviteSessionHarness.uas()
        let actions = h.feed(.accept(media: try answerTo(invite), via: InviteSessionHarness.via, cancelled: true))
        #expect(actions.responses.isEmpty)
        let ended = try #require(actions.ended)
        #expect(ended.outcome == .cancelled && ended.sipCode == 487 && ended.hungUpBy == .remote)
        // Nothing to hang up, nothing sent.
        #expect(h.feed(.hangUp).isEmpty)
    }

    func answerTo(_ invite: SIPRequest) throws -> AudioOffer {
        var media = AudioOffer(address: "192.0.2.10", port: 4000, sessionID: 5)
        _ = try media.answer(try SDPParser().parse(invite.body))
        return media
    }
}
