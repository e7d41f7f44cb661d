import NIOCore
import SIPCore
import SIPSimulator
import SIPUserAgent
import Testing

/// The simulated trunk's registrar: digest first, then bindings with their expiry, and
/// calls let in only from where a live registration came from.
struct SimulatedRegistrarTests {
    final class Clock: @unchecked Sendable { var now = 1_000.0 }
    let clock = Clock()
    let source = try! SocketAddress(ipAddress: "127.0.0.1", port: 5070)
    let elsewhere = try! SocketAddress(ipAddress: "127.0.0.1", port: 5080)

    func registrar() -> SimulatedRegistrar {
        let clock = clock
        return SimulatedRegistrar(accounts: ["alice": "secret"], realm: "trunk") { clock.now }
    }

    /// A REGISTER for `user`, answering `challenge` with `password` when given.
    func register(user: String = "alice", expires: UInt32? = 60, contact: String = "<sip:alice@127.0.0.1:5070>",
                  answering challenge: [SIPHeaderField] = [], password: String = "secret") throws -> SIPRequest {
        let uri = SIPURI(host: "127.0.0.1")
        var headers = SIPHeaders()
        headers.append(.via, "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1")
        headers.append(.from, "<sip:\(user)@127.0.0.1>;tag=1")
        headers.append(.to, "<sip:\(user)@127.0.0.1>")
        headers.append(.callID, "reg-1")
        headers.append(.cseq, "1 REGISTER")
        headers.append(.contact, contact)
        if let expires { headers.append(.expires, String(expires)) }
        if let field = challenge.first(where: { $0.name == .wwwAuthenticate }) {
            let offer = try #require(SIPDigest.Challenge(try SIPAuthValue(parsing: field.value)))
            let value = SIPDigest.credentials(challenge: offer, username: user, password: password, method: .register, uri: uri,
                                              cnonce: "c1", nonceCount: 1)
            headers.append(.authorization, value.description)
        }
        return SIPRequest(method: .register, uri: uri, headers: headers)
    }

    @Test func registersAfterTheChallengeAndLetsThatSourceCall() throws {
        let r = registrar()
        #expect(!r.admits(source))
        let (first, _, challenge) = r.register(try register(), from: source)
        #expect(first == 401 && challenge.contains { $0.name == .wwwAuthenticate })
        let (status, _, contacts) = r.register(try register(answering: challenge), from: source)
        #expect(status == 200 && contacts.map(\.value) == ["<sip:alice@127.0.0.1:5070>;expires=60"], "\(contacts)")
        #expect(r.admits(source) && !r.admits(elsewhere))
        clock.now += 61
        #expect(!r.admits(source), "the binding expired")
        #expect(r.counts.registered == 1 && r.counts.unregistered == 0 && r.counts.authenticationFailures == 0 && r.counts.unregisteredCalls == 3)
    }

    @Test func aWrongPasswordIsChallengedAgainAndCounted() throws {
        let r = registrar()
        let (_, _, challenge) = r.register(try register(), from: source)
        let (status, _, again) = r.register(try register(answering: challenge, password: "guess"), from: source)
        #expect(status == 401 && again.contains { $0.name == .wwwAuthenticate })
        #expect(r.counts.authenticationFailures == 1 && !r.admits(source))
    }

    @Test func expiryRulesAndUnregistration() throws {
        let r = registrar()
        let (_, _, challenge) = r.register(try register(), from: source)
        let (short, _, minimum) = r.register(try register(expires: 2, answering: challenge), from: source)
        #expect(short == 423 && minimum.map(\.value) == ["5"])
        let (long, _, capped) = r.register(try register(expires: 999_999, answering: challenge), from: source)
        #expect(long == 200 && capped.map(\.value) == ["<sip:alice@127.0.0.1:5070>;expires=3600"])
        // Another user's address of record cannot be registered with alice's credentials.
        var foreign = try register(answering: challenge)
        foreign.headers.set(.to, "<sip:bob@127.0.0.1>")
        #expect(r.register(foreign, from: source).0 == 403)
        let (removed, _, left) = r.register(try register(expires: 0, answering: challenge), from: source)
        #expect(removed == 200 && left.isEmpty && !r.admits(source))
        // Contact * with Expires 0 clears every binding; without Expires 0 it is a 400.
        _ = r.register(try register(answering: challenge), from: source)
        #expect(r.register(try register(expires: 60, contact: "*", answering: challenge), from: source).0 == 400)
        #expect(r.register(try register(expires: 0, contact: "*", answering: challenge), from: source).0 == 200)
        #expect(!r.admits(source) && r.counts.unregistered == 2)
    }
}
