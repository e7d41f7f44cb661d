@testable import DialerStore
import GRDB
import Testing

/// API tokens: shown once, stored as their SHA-256 only, their last use noted once a minute.
struct APITokensTests {
    @Test func aTokenAuthenticatesAndOnlyItsHashIsStored() throws {
        let scratch = Scratch()
        let (id, token) = try scratch.store.createToken(name: "crm", now: 100)
        #expect(try scratch.store.authenticate(token: token, now: 100)?.id == id)
        #expect(try scratch.store.authenticate(token: token + "x", now: 100) == nil)
        let stored = try scratch.store.pool.read { try String.fetchAll($0, sql: "SELECT hash FROM api_token") }
        #expect(stored == [APIToken.hash(token)] && !stored[0].contains(token))
    }

    @Test func theLastUseIsWrittenAtMostOnceAMinute() throws {
        let scratch = Scratch()
        let (_, token) = try scratch.store.createToken(name: "crm", now: 0)
        #expect(try scratch.store.authenticate(token: token, now: 1000)?.lastUsedAt == 1000)
        #expect(try scratch.store.authenticate(token: token, now: 1030)?.lastUsedAt == 1000)
        #expect(try scratch.store.authenticate(token: token, now: 1060)?.lastUsedAt == 1060)
    }
}
