import SDP
import SIPCore
@testable import SIPUserAgent
import Testing

/// A stream switched from audio to `image` (T.38 fax) and back by re-INVITE in both
/// directions, on a manual clock: the far end's offer answered by the owner, the owner's own
/// re-offer, glare, refusals, and the o= version growing through all of it (RFC 3264 §8,
/// RFC 3261 §14).
struct InviteSessionReofferTests {
    /// What the owner (a fax engine) answers or offers: T.38 on its own UDPTL port.
    static let localImage = InviteSessionHarness.image(address: "192.0.2.10", port: 4002, user: "fax")

    static func faxCapable() -> InviteSessionHarness {
        var h = InviteSessionHarness.uac()
        var config = h.session.configuration
        config.ownerMediaTypes = ["image"]
        h.session = InviteSession(configuration: config, callID: "call-1", localTag: "near", random: { 0.5 })
        return h
    }

    static func origin(_ body: [UInt8]) throws -> SDPOrigin { try SDPParser().parse(body).origin }
    static func mediaType(_ body: [UInt8]) throws -> String? { try SDPParser().parse(body).media.first?.media }

    @Test func theFarEndsSwitchToFaxIsAnsweredByTheOwnerAndBackToAudioByTheSession() throws {
        var h = Self.faxCapable()
        try h.answered(headers: [SIPHeaderField(.sessionExpires, "120;refresher=uac")])
        // Audio → image: held for the owner, nothing answered yet. (The re-INVITE refreshes
        // the session timer and leaves the refreshing to this side, RFC 4028 §9.)
        let toFax = h.farRequest(.invite, headers: [SIPHeaderField(.sessionExpires, "120;refresher=uas")], body: InviteSessionHarness.imageOffer)
        let held = h.feed(.request(toFax))
        #expect(held == [.report(.offerReceived(sdp: InviteSessionHarness.imageOffer))])
        let answered = h.feed(.answerOffer(sdp: Self.localImage))
        guard case .respondUntilAcknowledged(let ok)? = answered.last else {
            Issue.record("\(answered)")
            return
        }
        #expect(ok.sequence == toFax.sequence && ok.statusCode == 200 && ok.headers[.sessionExpires] == "120;refresher=uas")
        #expect(try Self.mediaType(ok.body) == "image")
        // The owner's description carries this side's o= identity and the next version.
        #expect(try Self.origin(ok.body).sessionID == "7" && Self.origin(ok.body).sessionVersion == 8)
        let ackSequence = try #require(ok.sequence)
        #expect(h.feed(.ack(h.farRequest(.ack, sequence: ackSequence))) == [.stopResending(sequence: ackSequence)])

        // A refresh now repeats the fax session, one version higher.
        let refresh = try #require(h.advance(by: .seconds(60)).requests.first)
        #expect(try Self.mediaType(refresh.body) == "image" && Self.origin(refresh.body).sessionVersion == 9)
        h.feed(.requestOutcome(.refresh, request: refresh, .response(h.response(200, to: refresh))))

        // Image → audio: the session answers it itself and reports the audio.
        let back = h.feed(.request(h.farRequest(.invite, headers: [SIPHeaderField(.sessionExpires, "120;refresher=uas")],
                                                body: InviteSessionHarness.farOffer(port: 6400).body)))
        guard case .mediaChanged(let audio)? = back.events.first, let reply = back.responses.first else {
            Issue.record("\(back)")
            return
        }
        #expect(audio.remotePort == 6400 && reply.statusCode == 200)
        #expect(try Self.mediaType(reply.body) == "audio" && Self.origin(reply.body).sessionVersion == 10)
        let next = try #require(h.advance(by: .seconds(60)).requests.first)
        #expect(try Self.mediaType(next.body) == "audio")
    }

    @Test func theOwnerMayRefuseAndTheSessionStaysAsItWas() throws {
        var h = Self.faxCapable()
        try h.answered()
        h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.imageOffer)))
        #expect(h.feed(.refuseOffer(status: 488)).responses.map(\.statusCode) == [488])
        // Nothing held any more: an answer now changes nothing, and the version did not move.
        #expect(h.feed(.answerOffer(sdp: Self.localImage)).isEmpty)
        let audio = h.feed(.request(h.farRequest(.invite)))
        #expect(try Self.origin(#require(audio.responses.first).body).sessionVersion == 8)
    }

    @Test func aSecondOfferWhileTheFirstIsAnsweredIs500WithRetryAfter() throws {
        var h = Self.faxCapable()
        try h.answered()
        h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.imageOffer)))
        let second = h.feed(.request(h.farRequest(.update, body: InviteSessionHarness.farOffer().body)))
        #expect(second.responses.map(\.statusCode) == [500] && second.responses.first?.headers[.retryAfter] == "5")
        // This side's refresh waits too.
        #expect(h.feed(.reoffer(sdp: Self.localImage)) == [.report(.offerRefused(status: 491))])
    }

    @Test func aByeWhileTheOwnerAnswersEndsTheHeldReInviteWith487() throws {
        var h = Self.faxCapable()
        try h.answered()
        let toFax = h.farRequest(.invite, body: InviteSessionHarness.imageOffer)
        h.feed(.request(toFax))
        let bye = h.feed(.request(h.farRequest(.bye)))
        #expect(bye.responses.map { "\($0.statusCode) \($0.sequence ?? 0)" } == ["200 \(toFax.sequence! + 1)", "487 \(toFax.sequence!)"])
        #expect(bye.ended?.hungUpBy == .remote)
    }

    @Test func theOwnersReofferSwitchesToFaxAndBack() throws {
        var h = Self.faxCapable()
        try h.answered()
        let reInvite = try #require(h.feed(.reoffer(sdp: Self.localImage)).requests.first)
        #expect(reInvite.method == .invite && reInvite.headers[.contentType] == "application/sdp")
        #expect(try Self.mediaType(reInvite.body) == "image" && Self.origin(reInvite.body).sessionVersion == 8)
        let answer = Array(InviteSessionHarness.imageOffer)
        let ok = h.feed(.requestOutcome(.reoffer, request: reInvite, .response(h.response(200, to: reInvite, body: answer))))
        #expect(ok.compactMap(\.ack).first?.sequence == reInvite.sequence)
        #expect(ok.events == [.offerAnswered(sdp: answer)])

        let audio = AudioOffer(address: "192.0.2.10", port: 4000, sessionID: 7).body
        let backToAudio = try #require(h.feed(.reoffer(sdp: audio)).requests.first)
        #expect(try Self.mediaType(backToAudio.body) == "audio" && Self.origin(backToAudio.body).sessionVersion == 9)
    }

    @Test func aReofferMetByGlareIsSentAgainLater() throws {
        var h = Self.faxCapable()
        try h.answered()
        let first = try #require(h.feed(.reoffer(sdp: Self.localImage)).requests.first)
        // The far end's own re-INVITE crosses it: 491 to theirs, and theirs to ours.
        #expect(h.feed(.request(h.farRequest(.invite, body: InviteSessionHarness.imageOffer))).responses.map(\.statusCode) == [491])
        let glare = h.feed(.requestOutcome(.reoffer, request: first, .response(h.response(491, to: first))))
        #expect(glare == [.startTimer(.reoffer, after: .milliseconds(3050))])
        let again = try #require(h.advance(by: .milliseconds(3050)).requests.first)
        #expect(try Self.mediaType(again.body) == "image" && again.sequence! > first.sequence!)
    }

    @Test func aRefusedReofferIsReportedAndAFailedOneEndsTheCall() throws {
        var h = Self.faxCapable()
        try h.answered()
        let reInvite = try #require(h.feed(.reoffer(sdp: Self.localImage)).requests.first)
        let refused = h.feed(.requestOutcome(.reoffer, request: reInvite, .response(h.response(488, to: reInvite))))
        #expect(refused == [.report(.offerRefused(status: 488))])
        let again = try #require(h.feed(.reoffer(sdp: Self.localImage)).requests.first)
        let lost = h.feed(.requestOutcome(.reoffer, request: again, .timedOut))
        #expect(lost.requests.first?.method == .bye && lost.ended != nil)
    }
}
