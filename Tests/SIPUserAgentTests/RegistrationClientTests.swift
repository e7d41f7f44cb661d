import SIPCore
import SIPUserAgent
import Testing

/// The registration client driven by hand: responses in, actions out, no clock, no sockets.
struct RegistrationClientTests {
    static func config(expires: UInt32 = 3600) -> RegistrationClient.Configuration {
        RegistrationClient.Configuration(
            registrar: SIPURI(host: "trunk.example.com"),
            addressOfRecord: SIPURI(user: "acme", host: "trunk.example.com"),
            contact: SIPURI(user: "acme", host: "192.0.2.10", port: 5060),
            via: Via(transport: "UDP", host: "192.0.2.10", port: 5060, parameters: [SIPParameter("rport")]),
            username: "acme", password: "secret", expires: expires)
    }

    func make(expires: UInt32 = 3600) -> RegistrationClient {
        RegistrationClient(configuration: Self.config(expires: expires), callID: "reg-call", tag: "rtag", random: { 0.5 })
    }

    func sent(_ actions: [RegistrationClient.Action]) -> SIPRequest? {
        for a in actions { if case .send(let r) = a { return r } }
        return nil
    }

    func reply(_ status: Int, to request: SIPRequest, headers: [SIPHeaderField] = []) -> SIPResponse {
        SIPResponseFactory.response(to: request, status: status, toTag: "srv", headers: headers)
    }

    @Test func registersWithAuthAndRefreshesAtHalfTheGrantedTime() throws {
        var c = make()
        let first = try #require(sent(c.handle(.start)))
        #expect(first.method == .register && first.uri.description == "sip:trunk.example.com")
        #expect(first.headers[.expires] == "3600" && first.headers.callID == "reg-call")
        #expect(try first.headers.cseq()?.sequence == 1)
        #expect(c.state == .registering)

        let challenge = reply(401, to: first, headers: [SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n1", qop="auth""#)])
        let second = try #require(sent(c.handle(.response(challenge))))
        #expect(try second.headers.cseq()?.sequence == 2)
        #expect(try second.headers.authorization().first?["realm"] == "trunk")
        #expect(try second.headers.vias().first?.branch != (try first.headers.vias().first?.branch))

        let ok = reply(200, to: second, headers: [SIPHeaderField(.contact, "<sip:acme@192.0.2.10:5060>;expires=60")])
        let actions = c.handle(.response(ok))
        #expect(c.state == .registered(expires: 60))
        #expect(actions.contains(.startRefreshTimer(.seconds(30))))

        // Refresh: same Call-ID, next CSeq; a new nonce challenge is answered again.
        let refresh = try #require(sent(c.handle(.refreshTimerFired)))
        #expect(refresh.headers.callID == "reg-call")
        #expect(try refresh.headers.cseq()?.sequence == 3)
        let rechallenge = reply(401, to: refresh, headers: [SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n2", qop="auth""#)])
        let reauth = try #require(sent(c.handle(.response(rechallenge))))
        #expect(try reauth.headers.authorization().first?["nonce"] == "n2")
        _ = c.handle(.response(reply(200, to: reauth, headers: [SIPHeaderField(.expires, "120")])))
        #expect(c.state == .registered(expires: 120))
    }

    @Test func wrongPasswordIsReportedAndNotLooped() throws {
        var c = make()
        let first = try #require(sent(c.handle(.start)))
        let challenge = SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n1""#)
        let second = try #require(sent(c.handle(.response(reply(401, to: first, headers: [challenge])))))
        let again = SIPHeaderField(.wwwAuthenticate, #"Digest realm="trunk", nonce="n2""#)
        let actions = c.handle(.response(reply(401, to: second, headers: [again])))
        #expect(sent(actions) == nil)
        guard case .backingOff(let reason) = c.state else { Issue.record("\(c.state)"); return }
        #expect(reason.contains("authentication failed"))
        #expect(c.lastError == reason)
        #expect(actions.contains(.startRetryTimer(.seconds(300))))
    }

    @Test func intervalTooBriefRaisesExpiresToMinExpires() throws {
        var c = make(expires: 30)
        let first = try #require(sent(c.handle(.start)))
        let retry = try #require(sent(c.handle(.response(reply(423, to: first, headers: [SIPHeaderField(.minExpires, "120")])))))
        #expect(retry.headers[.expires] == "120")
        #expect(c.state == .registering)
    }

    @Test func failuresBackOffExponentiallyAndRecover() throws {
        var c = make()
        var request = try #require(sent(c.handle(.start)))
        var delays: [Duration] = []
        for _ in 0..<4 {
            let actions = c.handle(.noResponse("timeout"))
            for a in actions { if case .startRetryTimer(let d) = a { delays.append(d) } }
            request = try #require(sent(c.handle(.retryTimerFired)))
        }
        // 2 s doubling, jitter factor 1.0 with random() = 0.5.
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(16)])
        let actions = c.handle(.response(reply(503, to: request, headers: [SIPHeaderField(.retryAfter, "45")])))
        #expect(actions.contains(.startRetryTimer(.seconds(45))))
        request = try #require(sent(c.handle(.retryTimerFired)))
        _ = c.handle(.response(reply(200, to: request)))
        #expect(c.state == .registered(expires: 3600))
        #expect(c.lastError == nil)
    }

    @Test func aHugeRetryAfterWaitsADayAtMost() throws {
        var c = make()
        let request = try #require(sent(c.handle(.start)))
        let actions = c.handle(.response(reply(503, to: request, headers: [SIPHeaderField(.retryAfter, "99999999999")])))
        #expect(actions.contains(.startRetryTimer(.seconds(86_400))))
    }

    @Test func stopUnregistersWithExpiresZero() throws {
        var c = make()
        let first = try #require(sent(c.handle(.start)))
        _ = c.handle(.response(reply(200, to: first)))
        let actions = c.handle(.stop)
        #expect(actions.first == .cancelTimers)
        let unregister = try #require(sent(actions))
        #expect(unregister.headers[.expires] == "0")
        #expect(c.state == .unregistering)
        _ = c.handle(.response(reply(200, to: unregister)))
        #expect(c.state == .unregistered)
    }
}
