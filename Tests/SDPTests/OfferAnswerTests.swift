import Foundation
import SDP
import Testing

struct OfferAnswerTests {
    static let origin = SDPOrigin(sessionID: "42", sessionVersion: 42, address: SDPConnection(address: "192.0.2.10"))

    @Test func offerListsCodecsEventsPtimeAndDirection() throws {
        let offer = OfferAnswer.offer(origin: Self.origin, address: "192.0.2.10", port: 40000,
                                      preferences: AudioPreferences(codecs: [.opus, .pcmu]))
        let m = offer.media[0]
        #expect(m.formats == ["111", "0", "101", "102"])
        #expect(m.fmtp(111) == "useinbandfec=1;maxplaybackrate=16000;sprop-maxcapturerate=16000")
        #expect(m.rtpMap(101)?.clockRate == 8000 && m.rtpMap(102)?.clockRate == 48000)
        #expect(m.ptime == 20 && m.direction == .sendrecv)
        // What we send is what we can read back.
        #expect(try SDPParser().parse(offer.text) == offer)
    }

    @Test func answerPicksOurFirstPreferenceTheOfferHas() throws {
        let offer = try SDPParser().parse(SDPParserTests.offer)
        let (answer, negotiated) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                          preferences: AudioPreferences(codecs: [.pcma, .pcmu]))
        #expect(negotiated.codec == .pcma && negotiated.payloadType == 8)
        #expect(negotiated.telephoneEvent?.payloadType == 101)
        #expect(negotiated.remoteAddress == "203.0.113.10" && negotiated.remotePort == 40000 && negotiated.remoteRTCPPort == 40001)
        #expect(negotiated.direction == .sendrecv)
        #expect(answer.media.count == 2, "an answer keeps every offered m= line")
        #expect(answer.media[0].formats == ["8", "101"])
        #expect(answer.media[1].isRejected && answer.media[1].media == "video")
    }

    @Test func dynamicPayloadTypeNumbersComeFromTheOffer() throws {
        let offer = try SDPParser().parse("""
        v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 96 97\r\na=rtpmap:96 OPUS/48000/2\r\na=rtpmap:97 telephone-event/48000\r\na=rtcp-mux\r\n
        """)
        let (answer, n) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                 preferences: AudioPreferences(codecs: [.opus, .pcmu]))
        #expect(n.codec == .opus && n.payloadType == 96 && n.telephoneEvent?.payloadType == 97)
        #expect(n.rtcpMux && n.remoteRTCPPort == 5004)
        #expect(answer.media[0].formats == ["96", "97"] && answer.media[0].rtcpMux)
    }

    @Test(arguments: [
        (SDPDirection.sendonly, SDPDirection.sendrecv, SDPDirection.recvonly),
        (.recvonly, .sendrecv, .sendonly),
        (.inactive, .sendrecv, .inactive),
        (.sendrecv, .sendonly, .sendonly),
        (.sendrecv, .sendrecv, .sendrecv),
    ])
    func holdDirections(offered: SDPDirection, wanted: SDPDirection, expected: SDPDirection) throws {
        var offer = OfferAnswer.offer(origin: Self.origin, address: "192.0.2.1", port: 5004, preferences: AudioPreferences())
        offer.media[0].direction = offered
        let (answer, n) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                 preferences: AudioPreferences(direction: wanted))
        #expect(n.direction == expected && answer.media[0].direction == expected)
    }

    @Test func oldStyleHoldAddressStopsOurSending() throws {
        let offer = try SDPParser().parse("v=0\r\no=x 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n")
        let (_, n) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000, preferences: AudioPreferences())
        #expect(n.direction == .recvonly)
    }

    @Test func acceptReadsTheAnswerToOurOffer() throws {
        let offer = OfferAnswer.offer(origin: Self.origin, address: "192.0.2.10", port: 40000, preferences: AudioPreferences(codecs: [.pcmu, .pcma]))
        let answer = try SDPParser().parse("""
        v=0\r\no=peer 9 9 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\na=recvonly\r\n
        """)
        let n = try OfferAnswer.accept(answer: answer, to: offer)
        #expect(n.codec == .pcma && n.payloadType == 8 && n.telephoneEvent?.payloadType == 101)
        #expect(n.remoteAddress == "198.51.100.7" && n.remotePort == 6000 && n.ptime == 30)
        #expect(n.direction == .sendonly, "the peer only receives, so we only send")
    }

    @Test func failuresSayWhy() throws {
        let video = try SDPParser().parse("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 5004 RTP/AVP 96\r\n")
        #expect(throws: NegotiationError("no audio stream offered")) {
            try OfferAnswer.answer(to: video, origin: Self.origin, address: "192.0.2.10", port: 1, preferences: AudioPreferences())
        }
        let g729 = try SDPParser().parse("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 18\r\n")
        #expect(throws: NegotiationError.self) {
            try OfferAnswer.answer(to: g729, origin: Self.origin, address: "192.0.2.10", port: 1, preferences: AudioPreferences())
        }
        let offer = OfferAnswer.offer(origin: Self.origin, address: "192.0.2.10", port: 40000, preferences: AudioPreferences())
        let rejected = try SDPParser().parse("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n")
        #expect(throws: NegotiationError("the audio stream was rejected (port 0)")) { try OfferAnswer.accept(answer: rejected, to: offer) }
    }

    /// RFC 7587 §6.1: the Opus peer's `maxplaybackrate` is read from its fmtp (either side of
    /// the exchange), whatever the case and spacing; a value outside 8,000-48,000 is ignored.
    @Test(arguments: [("useinbandfec=1; MaxPlaybackRate = 8000", 8000), ("maxplaybackrate=24000", 24000),
                      ("useinbandfec=1", nil), ("maxplaybackrate=96000", nil), ("maxplaybackrate=", nil)] as [(String, Int?)])
    func opusMaxPlaybackRateIsTakenFromThePeer(fmtp: String, expected: Int?) throws {
        let peer = SDPParserTests.offer.replacingOccurrences(of: "a=fmtp:111 useinbandfec=1", with: "a=fmtp:111 \(fmtp)")
        let (_, answered) = try OfferAnswer.answer(to: try SDPParser().parse(peer), origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                   preferences: AudioPreferences(codecs: [.opus]))
        #expect(answered.codec == .opus && answered.maxPlaybackRate == expected)
        let offer = OfferAnswer.offer(origin: Self.origin, address: "192.0.2.10", port: 30000, preferences: AudioPreferences(codecs: [.opus]))
        // The same description as an answer to our one-stream offer (without its video line).
        let answer = String(peer[..<peer.range(of: "m=video")!.lowerBound])
        let negotiated = try OfferAnswer.accept(answer: try SDPParser().parse(answer), to: offer)
        #expect(negotiated.codec == .opus && negotiated.maxPlaybackRate == expected)
    }
}
