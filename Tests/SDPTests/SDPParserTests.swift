import SDP
import Testing

struct SDPParserTests {
    static let offer = """
    v=0\r
    o=- 3848276298 3848276298 IN IP4 203.0.113.10\r
    s=-\r
    i=a call\r
    c=IN IP4 203.0.113.10\r
    b=AS:84\r
    t=0 0\r
    a=group:BUNDLE 0\r
    m=audio 40000 RTP/AVP 0 8 111 101\r
    a=rtpmap:0 PCMU/8000\r
    a=rtpmap:8 PCMA/8000\r
    a=rtpmap:111 opus/48000/2\r
    a=fmtp:111 useinbandfec=1\r
    a=rtpmap:101 telephone-event/8000\r
    a=fmtp:101 0-16\r
    a=ptime:20\r
    a=maxptime:40\r
    a=x-unknown:keep me\r
    a=sendrecv\r
    m=video 0 RTP/AVP 96\r
    a=rtpmap:96 H264/90000\r

    """

    @Test func readsSessionAndMediaLevels() throws {
        let sdp = try SDPParser().parse(Self.offer)
        #expect(sdp.origin.sessionID == "3848276298")
        #expect(sdp.origin.sessionVersion == 3848276298)
        #expect(sdp.connection == SDPConnection(.ip4, "203.0.113.10"))
        #expect(sdp.attributes == [SDPAttribute("group", "BUNDLE 0")])
        #expect(sdp.otherLines == [SDPLine("i", "a call"), SDPLine("b", "AS:84")])
        #expect(sdp.media.count == 2)
        let audio = sdp.media[0]
        #expect(audio.formats == ["0", "8", "111", "101"])
        #expect(audio.rtpMap(111) == RTPMapEntry(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2))
        #expect(audio.fmtp(101) == "0-16")
        #expect(audio.ptime == 20 && audio.maxptime == 40)
        #expect(audio.direction == .sendrecv)
        #expect(audio.attributeValues("x-unknown") == ["keep me"])
        #expect(sdp.media[1].isRejected)
        #expect(sdp.connection(of: audio)?.address == "203.0.113.10")
    }

    @Test func roundTripsByteForByte() throws {
        let sdp = try SDPParser().parse(Self.offer)
        #expect(sdp.text == Self.offer)
        #expect(try SDPParser().parse(sdp.bytes) == sdp)
    }

    @Test func staticPayloadTypesNeedNoRtpmap() throws {
        let sdp = try SDPParser().parse("v=0\no=x 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 5004 RTP/AVP 8 0\n")
        #expect(sdp.media[0].rtpMap(8)?.encoding == "PCMA")
        #expect(sdp.media[0].rtpMap(0)?.encoding == "PCMU")
    }

    @Test func mediaLevelConnectionAndIPv6() throws {
        let sdp = try SDPParser().parse("""
        v=0\r\no=x 1 2 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\nc=IN IP6 2001:db8::2\r\na=recvonly\r\n
        """)
        #expect(sdp.connection == nil)
        #expect(sdp.media[0].connection == SDPConnection(.ip6, "2001:db8::2"))
        #expect(sdp.media[0].direction == .recvonly)
        #expect(sdp.origin.address.addressType == .ip6)
    }

    @Test(arguments: [
        ("", 1, "empty"),
        ("o=x 1 1 IN IP4 1.2.3.4\r\n", 1, "v=0"),
        ("v=1\r\n", 1, "v=0"),
        ("v=0\r\ns=-\r\n", 2, "missing o="),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\n", 3, "missing s="),
        ("v=0\r\no=x 1 1 IN IP4\r\ns=-\r\n", 2, "six fields"),
        ("v=0\r\no=x abc 1 IN IP4 1.2.3.4\r\ns=-\r\n", 2, "not numeric"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 999.1.1.1\r\n", 4, "not an IP4 address"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IPX 1.1.1.1\r\n", 4, "not IP4 or IP6"),
        // An address of only "/" (found by the SDP fuzzer) trapped where its host was read.
        ("v=0\r\no=x 1 2 IN IP6 /\r\ns=-\r\n", 2, "not an IP6 address"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 /24\r\n", 4, "not an IP4 address"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n", 4, "port"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 5004 RTP/AVP 200\r\n", 4, "0-127"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 5004 RTP/AVP 0\r\n", 0, "no c= line"),
        ("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\nnot a line\r\n", 4, "<type>=<value>"),
    ] as [(String, Int, String)])
    func refusesMalformedDescriptions(text: String, line: Int, reason: String) {
        #expect {
            _ = try SDPParser().parse(text)
        } throws: { error in
            guard let e = error as? SDPParseError else { return false }
            return e.line == line && e.reason.contains(reason)
        }
    }

    @Test func limitsBoundTheWork() {
        let many = "v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\ns=-\r\n" + String(repeating: "a=x\r\n", count: 600)
        #expect(throws: SDPParseError.self) { try SDPParser().parse(many) }
        #expect(throws: SDPParseError.self) { try SDPParser(maxBytes: 10).parse(Array(Self.offer.utf8)) }
        #expect(throws: SDPParseError.self) { try SDPParser().parse([0x76, 0x3D, 0xFF, 0xFE]) }
    }
}

/// Inputs the SDP fuzzer found (Fuzz/run.sh with FUZZ_TARGET=sdp).
struct SDPFuzzRegressionTests {
    @Test func emptyOrOddAttributeValuesAreIgnored() throws {
        let sdp = try SDPParser().parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=ptime:\r\na=maxptime:-5\r\na=rtcp:\r\n")
        #expect(sdp.media[0].ptime == nil && sdp.media[0].maxptime == nil && sdp.media[0].rtcpPort == nil)
        let (_, n) = try OfferAnswer.answer(to: sdp, origin: sdp.origin, address: "192.0.2.2", port: 5000, preferences: AudioPreferences())
        #expect(n.ptime == 20 && n.remoteRTCPPort == 4001)
    }

    @Test func otherLinesKeepTheirGrammarPlaceOnRoundTrip() throws {
        let text = "v=0\r\no=x 1 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4 udp x\r\nt=0\r\nk=-\r\nx=1\r\n"
        let sdp = try SDPParser().parse(text)
        #expect(try SDPParser().parse(sdp.text) == sdp)
    }
}
