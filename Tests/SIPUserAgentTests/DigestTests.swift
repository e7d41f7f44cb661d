import SIPCore
import SIPUserAgent
import Testing

/// Digest computations against the published examples, and the retry policy.
struct DigestTests {
    func challenge(_ text: String) throws -> SIPDigest.Challenge {
        try #require(SIPDigest.Challenge(SIPAuthValue(parsing: text)))
    }

    /// RFC 2617 §3.5.
    @Test func rfc2617QopAuthExample() throws {
        let c = try challenge(#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#)
        let r = SIPDigest.response(challenge: c, username: "Mufasa", password: "Circle Of Life", method: "GET", uri: "/dir/index.html", cnonce: "0a4f113b", nonceCount: 1)
        #expect(r == "6629fae49393a05397450978507c4ef1")
    }

    /// RFC 2069 form (no qop), as in RFC 2617 implementations' tests.
    @Test func rfc2069Example() throws {
        let c = try challenge(#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#)
        let r = SIPDigest.response(challenge: c, username: "Mufasa", password: "CircleOfLife", method: "GET", uri: "/dir/index.html", cnonce: nil, nonceCount: 1)
        #expect(r == "1949323746fe6a43ef61f9606e7febea")
    }

    /// RFC 7616 §3.9.1 (password "Circle of Life", erratum 4495), MD5 and SHA-256.
    @Test func rfc7616Examples() throws {
        let base = #"realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
        let sha = try challenge("Digest algorithm=SHA-256, " + base)
        #expect(sha.algorithm == .sha256)
        #expect(SIPDigest.response(challenge: sha, username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html", cnonce: cnonce, nonceCount: 1)
            == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
        let md5 = try challenge("Digest algorithm=MD5, " + base)
        #expect(SIPDigest.response(challenge: md5, username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html", cnonce: cnonce, nonceCount: 1)
            == "8ca523f5e9506fed4657c9700eebdbec")
    }

    func register() throws -> SIPRequest {
        let text = "REGISTER sip:trunk.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-r1\r\nFrom: <sip:acme@trunk.example.com>;tag=f\r\nTo: <sip:acme@trunk.example.com>\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"
        guard case .request(let r) = try SIPMessageParser().parseDatagram(Array(text.utf8)) else { throw SIPSyntaxError("no request") }
        return r
    }

    func challengeResponse(_ status: Int, _ header: SIPHeaderName, _ value: String, to request: SIPRequest) -> SIPResponse {
        SIPResponseFactory.response(to: request, status: status, toTag: "t", headers: [SIPHeaderField(header, value)])
    }

    @Test func retryCarriesCredentialsNewCSeqAndBranch() throws {
        var auth = SIPAuthenticator(username: "acme", password: "secret")
        let reg = try register()
        let r401 = challengeResponse(401, .wwwAuthenticate, #"Digest realm="trunk", nonce="n1", qop="auth", algorithm=MD5"#, to: reg)
        guard case .retry(let retry) = auth.handle(r401, to: reg, cnonce: "c1") else { Issue.record("no retry"); return }
        #expect(try retry.headers.cseq()?.sequence == 2)
        #expect(try retry.headers.vias().first?.branch != "z9hG4bK-r1")
        let credentials = try #require(try retry.headers.authorization().first)
        #expect(credentials["username"] == "acme" && credentials["nonce"] == "n1" && credentials["nc"] == "00000001" && credentials["uri"] == "sip:trunk.example.com")
        let expected = SIPDigest.response(challenge: try challenge(#"Digest realm="trunk", nonce="n1", qop="auth""#), username: "acme", password: "secret", method: "REGISTER", uri: "sip:trunk.example.com", cnonce: "c1", nonceCount: 1)
        #expect(credentials["response"] == expected)
    }

    @Test func secondChallengeWithoutStaleIsAnAuthenticationFailure() throws {
        var auth = SIPAuthenticator(username: "acme", password: "wrong")
        let reg = try register()
        let r401 = challengeResponse(401, .wwwAuthenticate, #"Digest realm="trunk", nonce="n1""#, to: reg)
        guard case .retry(let retry) = auth.handle(r401, to: reg) else { Issue.record("no retry"); return }
        let again = challengeResponse(401, .wwwAuthenticate, #"Digest realm="trunk", nonce="n2""#, to: retry)
        guard case .failed(let reason) = auth.handle(again, to: retry) else { Issue.record("must not loop"); return }
        #expect(reason.contains("authentication failed"))
    }

    @Test func staleNonceIsRetriedAndProxyChallengesUseProxyAuthorization() throws {
        var auth = SIPAuthenticator(username: "acme", password: "secret")
        let reg = try register()
        let r407 = challengeResponse(407, .proxyAuthenticate, #"Digest realm="proxy", nonce="n1", algorithm=SHA-256"#, to: reg)
        guard case .retry(let first) = auth.handle(r407, to: reg) else { Issue.record(); return }
        #expect(try first.headers.proxyAuthorization().first?["algorithm"] == "SHA-256")
        let stale = challengeResponse(407, .proxyAuthenticate, #"Digest realm="proxy", nonce="n2", stale=true, algorithm=SHA-256"#, to: first)
        guard case .retry(let second) = auth.handle(stale, to: first) else { Issue.record("stale must be retried"); return }
        #expect(try second.headers.proxyAuthorization().count == 1)
        #expect(try second.headers.proxyAuthorization().first?["nonce"] == "n2")
        #expect(try second.headers.cseq()?.sequence == 3)
    }

    @Test func strongestAlgorithmIsChosenAndUnknownSchemesFail() throws {
        var auth = SIPAuthenticator(username: "acme", password: "secret")
        let reg = try register()
        var r401 = SIPResponseFactory.response(to: reg, status: 401, toTag: "t")
        r401.headers.append(.wwwAuthenticate, #"Digest realm="trunk", nonce="a", algorithm=MD5"#)
        r401.headers.append(.wwwAuthenticate, #"Digest realm="trunk", nonce="b", algorithm=SHA-256"#)
        guard case .retry(let retry) = auth.handle(r401, to: reg) else { Issue.record(); return }
        #expect(try retry.headers.authorization().first?["algorithm"] == "SHA-256")
        var other = SIPAuthenticator(username: "acme", password: "secret")
        let basic = challengeResponse(401, .wwwAuthenticate, #"Basic realm="x""#, to: reg)
        guard case .failed = other.handle(basic, to: reg) else { Issue.record("Basic is not answered"); return }
    }
}
