import SIPCore
import Testing

struct TypedHeaderTests {
    static let text = """
    INVITE sip:+15551234567@trunk.example.com;user=phone SIP/2.0\r
    v: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1;rport, SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK-2;received=192.0.2.1\r
    Max-Forwards: 69\r
    f: "Acme \\"Reminders\\"" <sip:+15550001111@acme.example.com>;tag=a73k\r
    t: <sip:+15551234567@trunk.example.com>\r
    i: 3848276298@203.0.113.10\r
    CSeq: 7 INVITE\r
    m: <sip:dialer@203.0.113.10:5060;transport=udp>;expires=60;q=0.5\r
    Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r
    Record-Route: <sip:rr.example.com;lr>\r
    Expires: 99999999999\r
    Min-Expires: 60\r
    Proxy-Authorization: Digest username="acme", realm="trunk", nonce="abc", uri="sip:x", response="00", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c"\r
    WWW-Authenticate: Digest realm="trunk", nonce="n1", qop="auth,auth-int", stale=true\r
    Allow: INVITE, ACK, BYE\r
    k: 100rel, timer\r
    Require: 100rel\r
    Proxy-Require: foo\r
    Unsupported: bar\r
    Accept: application/sdp;level=1, application/*\r
    RSeq: 42\r
    RAck: 42 7 INVITE\r
    x: 1800;refresher=uac\r
    Min-SE: 90\r
    Retry-After: 120 (maintenance);duration=3600\r
    Reason: Q.850;cause=16;text="Normal call clearing", SIP;cause=487\r
    P-Asserted-Identity: "Acme" <sip:+15550001111@acme.example.com>, <tel:+15550001111>\r
    Privacy: id;header\r
    r: <sip:transfer@example.com?Replaces=abc%40host>\r
    b: <sip:agent@example.com>\r
    o: refer;id=7\r
    Subscription-State: active;expires=60\r
    User-Agent: sipdial/0.1\r
    Server: test\r
    c: application/sdp\r
    l: 0\r
    \r

    """

    @Test func everyListedHeaderHasATypedReading() throws {
        guard case .request(let r) = try SIPMessageParser().parseDatagram(Array(Self.text.utf8)) else { Issue.record(); return }
        let h = r.headers
        let vias = try h.vias()
        #expect(vias.count == 2 && vias[0].rport == .some(nil) && vias[1].host == "[2001:db8::1]" && vias[1].port == 5070 && vias[1].received == "192.0.2.1")
        #expect(try h.maxForwards() == 69)
        #expect(try h.from()?.displayName == "Acme \"Reminders\"")
        #expect(try h.from()?.tag == "a73k")
        #expect(try h.to()?.tag == nil)
        #expect(h.callID == "3848276298@203.0.113.10")
        #expect(try h.cseq() == CSeq(7, .invite))
        guard case .addresses(let contacts)? = try h.contact() else { Issue.record("contact"); return }
        #expect(contacts[0].expires == 60 && contacts[0].q == 0.5 && contacts[0].uri.transportParameter == "udp")
        #expect(try h.routes().map(\.uri.host) == ["p1.example.com", "p2.example.com"])
        #expect(try h.recordRoutes().count == 1)
        #expect(try h.expires() == UInt32.max)
        #expect(try h.minExpires() == 60)
        #expect(try h.proxyAuthorization().first?["algorithm"] == "SHA-256")
        #expect(try h.wwwAuthenticate().first?["qop"] == "auth,auth-int")
        #expect(try h.wwwAuthenticate().first?["stale"] == "true")
        #expect(h.tokens(.allow) == ["INVITE", "ACK", "BYE"])
        #expect(h.tokens(.supported) == ["100rel", "timer"])
        #expect(h.tokens(.require) == ["100rel"] && h.tokens(.proxyRequire) == ["foo"] && h.tokens(.unsupported) == ["bar"])
        #expect(try h.accept().map(\.value) == ["application/sdp", "application/*"])
        #expect(try h.rseq() == 42)
        #expect(try h.rack() == RAck(responseNumber: 42, cseq: CSeq(7, .invite)))
        #expect(try h.sessionExpires()?.parameters[parameter: "refresher"] == .some("uac"))
        #expect(try h.minSE()?.value == "90")
        #expect(try h.retryAfter()?.value == "120" && h.retryAfter()?.parameters[parameter: "duration"] == .some("3600"))
        let reasons = try h.reasons()
        #expect(reasons.count == 2 && reasons[0].parameters[parameter: "cause"] == .some("16"))
        #expect(try h.pAssertedIdentities().map(\.uri.scheme) == [.sip, .tel])
        #expect(h.privacy == ["id", "header"])
        #expect(try h.referTo()?.uri.headers.first == SIPParameter("Replaces", "abc%40host"))
        #expect(try h.referredBy()?.uri.user == "agent")
        #expect(try h.event()?.value == "refer")
        #expect(try h.subscriptionState()?.parameters[parameter: "expires"] == .some("60"))
        #expect(h.userAgent == "sipdial/0.1" && h.server == "test")
        #expect(try h.contentType()?.value == "application/sdp")
        #expect(h.contentLength == 0)
        #expect(r.uri.parameters[parameter: "user"] == .some("phone"))
    }

    /// Retry-After's seconds (§20.33), with a comment and parameters, and capped at a day:
    /// a 503 saying 99999999999 once overflowed the timer it set and ended the process.
    @Test(arguments: [
        ("120", 120), ("120 (I'm in a meeting)", 120), ("18000;duration=3600", 18000), ("0", 0),
        ("86401", 86400), ("99999999999", 86400), ("123456789012345678901234567890", 86400), ("0000000000005", 5),
    ] as [(String, Int64)])
    func retryAfterSeconds(value: String, seconds: Int64) {
        #expect(SIPHeaders([SIPHeaderField(.retryAfter, value)]).retryAfterSeconds() == seconds)
    }

    /// delta-seconds may be longer than 32 bits (§25.1); a 503 saying so is still read.
    @Test func anOverLargeRetryAfterIsValidSyntax() throws {
        func disposition(_ retryAfter: String) throws -> SIPVerdict.Disposition {
            let text = "SIP/2.0 503 Service Unavailable\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nRetry-After: \(retryAfter)\r\nContent-Length: 0\r\n\r\n"
            return SIPMessageValidator().check(try SIPMessageParser().parseDatagram(Array(text.utf8))).disposition
        }
        #expect(try disposition("99999999999 (back next century)") == .accept)
        #expect(try disposition("soon") == .discard)
    }

    @Test func retryAfterThatIsNotANumberIsIgnored() {
        #expect(SIPHeaders([SIPHeaderField(.retryAfter, "soon")]).retryAfterSeconds() == nil)
        #expect(SIPHeaders().retryAfterSeconds() == nil)
    }

    @Test func contactWildcardAndMalformedValues() throws {
        let star: SIPHeaders = [(.contact, "*")]
        #expect(try star.contact() == .wildcard)
        let bad: SIPHeaders = [(.maxForwards, "300"), (.cseq, "x INVITE")]
        #expect(throws: SIPSyntaxError.self) { try bad.maxForwards() }
        #expect(throws: SIPSyntaxError.self) { try bad.cseq() }
    }

    @Test func uriForms() throws {
        let u = try SIPURI(parsing: "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi&Priority=urgent")
        #expect(u.scheme == .sips && u.user == "alice" && u.password == "secret" && u.host == "[2001:db8::1]" && u.port == 5061)
        #expect(u.hostWithoutBrackets == "2001:db8::1")
        #expect(u.parameters == [SIPParameter("transport", "tcp"), SIPParameter("lr")])
        #expect(u.headers.count == 2)
        #expect(try SIPURI(parsing: u.description) == u)
        let tel = try SIPURI(parsing: "tel:+1-201-555-0123;phone-context=example.com")
        #expect(tel.scheme == .tel && tel.user == "+1-201-555-0123" && tel.description == "tel:+1-201-555-0123;phone-context=example.com")
        #expect(throws: SIPSyntaxError.self) { try SIPURI(parsing: "sip:bob@host:99999") }
        #expect(throws: SIPSyntaxError.self) { try SIPURI(parsing: "sip:bo b@host") }
        #expect(throws: SIPSyntaxError.self) { try SIPURI(parsing: "sip:%zz@host") }
    }
}
