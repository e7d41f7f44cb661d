import Fax
import SDP
import T38
import Testing

/// The SDP of a switch to T.38 (T.38 Annex D.2.3, RFC 3264 §6): this side's offer, its answer
/// to a far end's, and the stream both agree on.
struct T38NegotiationTests {
    static func parse(_ text: String) throws -> SessionDescription {
        try SDPParser().parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test func theOfferIsOneImageSectionWithTheAnnexAttributes() throws {
        let sdp = String(decoding: T38Negotiation.offer(host: "127.0.0.1", port: 40_000).bytes, as: UTF8.self)
        #expect(sdp.contains("m=image 40000 udptl t38\r\n"))
        for line in ["a=T38FaxVersion:0", "a=T38MaxBitRate:14400", "a=T38FaxRateManagement:transferredTCF", "a=T38FaxMaxDatagram:400",
                     "a=T38FaxUdpEC:t38UDPRedundancy", "c=IN IP4 127.0.0.1"] {
            #expect(sdp.contains(line + "\r\n"), "\(line) in \(sdp)")
        }
    }

    @Test func anOfferWithAudioBesideT38IsAnsweredOnT38AloneInTheSameOrder() throws {
        let offer = try Self.parse("""
        v=0
        o=gw 1 2 IN IP4 192.0.2.7
        s=-
        c=IN IP4 192.0.2.7
        t=0 0
        m=audio 5004 RTP/AVP 0
        m=image 5006 udptl t38
        a=T38FaxVersion:1
        a=T38FaxRateManagement:localTCF
        a=T38MaxDatagram:160
        a=T38FaxUdpEC:t38UDPFEC

        """)
        let (answer, stream) = try #require(T38Negotiation.answer(offer, host: "127.0.0.1", port: 40_002))
        #expect(answer.media.map(\.media) == ["audio", "image"])
        #expect(answer.media[0].port == 0 && answer.media[1].port == 40_002)
        #expect(stream.remoteAddress == "192.0.2.7" && stream.remotePort == 5006 && stream.remoteMaxDatagram == 160)
        // The lower version, the offer's TCF method, redundancy (this side does no FEC).
        #expect(stream.agreed.version == 0 && stream.agreed.rateManagement == .localTCF)
        #expect(stream.scheme == .redundancy(depth: 3))
        let settings = stream.settings(FaxSettings())
        #expect(settings.maxDatagram == 160 && settings.rateManagement == .localTCF)
    }

    @Test func anOfferWithoutT38HasNoAnswer() throws {
        let offer = try Self.parse("v=0\no=gw 1 2 IN IP4 192.0.2.7\ns=-\nc=IN IP4 192.0.2.7\nt=0 0\nm=image 0 udptl t38\nm=audio 5004 RTP/AVP 0\n")
        #expect(T38Negotiation.answer(offer, host: "127.0.0.1", port: 40_002) == nil)
    }

    @Test func theFarEndsAnswerGivesTheStream() throws {
        let answer = try Self.parse("""
        v=0
        o=gw 1 3 IN IP4 192.0.2.7
        s=-
        t=0 0
        m=image 5008 udptl t38
        c=IN IP4 192.0.2.9
        a=T38FaxVersion:0
        a=T38FaxRateManagement:transferredTCF
        a=T38FaxUdpEC:t38UDPRedundancy

        """)
        let stream = try #require(T38Negotiation.stream(answer: answer))
        #expect(stream.remoteAddress == "192.0.2.9" && stream.remotePort == 5008 && stream.remoteMaxDatagram == 400)
        #expect(stream.scheme == .redundancy(depth: 3))
        let declined = try Self.parse("v=0\no=gw 1 3 IN IP4 192.0.2.7\ns=-\nc=IN IP4 192.0.2.7\nt=0 0\nm=image 0 udptl t38\n")
        #expect(T38Negotiation.stream(answer: declined) == nil)
    }
}
