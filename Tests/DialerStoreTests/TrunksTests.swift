@testable import DialerStore
import Foundation
import Testing

/// Trunks: ordered for failover, a name used once.
struct TrunksTests {
    @Test func trunksAreOrderedForFailoverAndANameIsUsedOnce() throws {
        let scratch = Scratch()
        var backup = Trunk(id: "t2", name: "backup", host: "b.example", now: 0)
        backup.failoverOrder = 1
        try scratch.store.save(backup)
        try scratch.store.save(Trunk(id: "t1", name: "main", host: "a.example", now: 0))
        #expect(try scratch.store.trunks().map(\.id) == ["t1", "t2"])
        #expect(throws: StoreConflict.duplicate(column: "name")) { try scratch.store.save(Trunk(id: "t3", name: "main", host: "c.example", now: 0)) }
        backup.host = "b2.example"
        try scratch.store.save(backup)
        #expect(try scratch.store.trunk(id: "t2")?.host == "b2.example")
        #expect(try scratch.store.deleteTrunk(id: "t2"))
        #expect(try !scratch.store.deleteTrunk(id: "t2"))
    }
}

/// Trunk passwords at rest (issue #24 item 3): encrypted in the database with the data
/// directory's `secret.key` (mode 0600), plain to the dialer, sealed when an older store
/// opens, and a clear error naming the trunk when the key no longer fits.
struct TrunkPasswordTests {
    func storedPassword(_ store: DialerStore, _ id: String) throws -> String? {
        try store.pool.read { try String.fetchOne($0, sql: "SELECT password FROM trunk WHERE id = ?", arguments: [id]) }
    }

    @Test func aPasswordIsEncryptedInTheDatabaseAndPlainToTheDialer() throws {
        let scratch = Scratch()
        var trunk = Trunk(id: "t1", name: "carrier", host: "sip.example", now: 0)
        (trunk.username, trunk.password) = ("alice", "s3cret-pa55")
        try scratch.store.save(trunk)
        let stored = try #require(try storedPassword(scratch.store, "t1"))
        #expect(stored.hasPrefix("enc1:") && !stored.contains("s3cret"), "\(stored)")
        #expect(try scratch.store.trunk(id: "t1")?.password == "s3cret-pa55")
        #expect(try scratch.store.trunks().first?.password == "s3cret-pa55")
        let file = try #require(try? String(contentsOf: URL(fileURLWithPath: scratch.store.path), encoding: .isoLatin1))
        #expect(!file.contains("s3cret-pa55"), "the database file holds the password in the clear")
        let key = scratch.store.directory.appendingPathComponent("secret.key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600 && (attributes[.size] as? NSNumber)?.intValue == 32)
        // Saved twice, two different ciphertexts (a fresh nonce each time).
        try scratch.store.save(trunk)
        #expect(try storedPassword(scratch.store, "t1") != stored)
    }

    @Test func anOlderStoresPlainPasswordsAreSealedWhenItOpens() throws {
        let scratch = Scratch()
        try scratch.store.save(Trunk(id: "t1", name: "carrier", host: "sip.example", now: 0))
        try scratch.store.pool.write { try $0.execute(sql: "UPDATE trunk SET password = 'plain-old' WHERE id = 't1'") }
        let reopened = try DialerStore(directory: scratch.store.directory)
        #expect(try storedPassword(reopened, "t1")?.hasPrefix("enc1:") == true)
        #expect(try reopened.trunk(id: "t1")?.password == "plain-old")
    }

    @Test func aReplacedKeyIsAnErrorNamingTheTrunk() throws {
        let scratch = Scratch()
        var trunk = Trunk(id: "t1", name: "carrier", host: "sip.example", now: 0)
        trunk.password = "s3cret"
        try scratch.store.save(trunk)
        let key = scratch.store.directory.appendingPathComponent("secret.key")
        try Data(repeating: 7, count: 32).write(to: key)
        let reopened = try DialerStore(directory: scratch.store.directory)
        #expect { try reopened.trunks() } throws: { "\($0)".contains("trunk 'carrier'") }
        try Data(repeating: 7, count: 5).write(to: key)
        #expect { try DialerStore(directory: scratch.store.directory) } throws: { "\($0)".contains("not a 32-byte key") }
    }
}
