import SIPCore
import Testing
@testable import SIPUserAgent

/// The server side of digest: what `SIPDigest.credentials` computes for a challenge is
/// accepted with the right password and refused with anything else.
struct DigestVerifierTests {
    let uri = SIPURI(user: "alice", host: "127.0.0.1")

    func credentials(_ verifier: SIPDigestVerifier, now: Double, user: String = "alice", password: String = "secret",
                     method: SIPMethod = .register) throws -> SIPAuthValue {
        let challenge = try #require(SIPDigest.Challenge(verifier.challenge(now: now)))
        return SIPDigest.credentials(challenge: challenge, username: user, password: password, method: method, uri: uri,
                                     cnonce: "0a4f113b", nonceCount: 1)
    }

    func verify(_ verifier: SIPDigestVerifier, _ value: SIPAuthValue, now: Double, method: String = "REGISTER") -> SIPDigestVerifier.Verdict {
        verifier.verify([value], method: method, now: now) { ["alice": "secret", "bob": "hunter2"][$0] }
    }

    @Test(arguments: [SIPDigest.Algorithm.md5, .sha256])
    func theRightPasswordIsAccepted(algorithm: SIPDigest.Algorithm) throws {
        let verifier = SIPDigestVerifier(realm: "trunk", algorithm: algorithm)
        let value = try credentials(verifier, now: 1000)
        #expect(value["algorithm"] == algorithm.rawValue && value["qop"] == "auth")
        #expect(verify(verifier, value, now: 1010) == .accepted(username: "alice"))
    }

    @Test func anythingElseIsNot() throws {
        let verifier = SIPDigestVerifier(realm: "trunk")
        if case .rejected(let why) = verify(verifier, try credentials(verifier, now: 1000, password: "guess"), now: 1000) {
            #expect(why.contains("wrong password"))
        } else { Issue.record("a wrong password was accepted") }
        #expect(verify(verifier, try credentials(verifier, now: 1000, user: "mallory"), now: 1000) == .rejected("unknown user 'mallory'"))
        // Credentials for REGISTER do not authorize an INVITE (the method is in the digest).
        if case .rejected = verify(verifier, try credentials(verifier, now: 1000), now: 1000, method: "INVITE") {} else {
            Issue.record("credentials were accepted for another method")
        }
        // A nonce from another verifier (another key) is not this one's.
        let other = SIPDigestVerifier(realm: "trunk")
        #expect(verify(verifier, try credentials(other, now: 1000), now: 1000) == .rejected("a nonce this server did not issue"))
        // No credentials for this realm at all.
        #expect(verifier.verify([], method: "REGISTER", now: 1000) { _ in "secret" } == .missing)
        let elsewhere = try credentials(SIPDigestVerifier(realm: "elsewhere"), now: 1000)
        #expect(verify(verifier, elsewhere, now: 1000) == .missing)
    }

    @Test func anOldNonceIsStaleOnlyWhenThePasswordWasRight() throws {
        var verifier = SIPDigestVerifier(realm: "trunk")
        verifier.nonceLifetime = 60
        #expect(verify(verifier, try credentials(verifier, now: 1000), now: 1061) == .stale)
        if case .rejected = verify(verifier, try credentials(verifier, now: 1000, password: "guess"), now: 1061) {} else {
            Issue.record("a wrong password with an old nonce was not rejected")
        }
        let again = verifier.challenge(now: 1061, stale: true)
        #expect(again["stale"] == "true")
    }
}
