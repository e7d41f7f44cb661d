@testable import DialerStore
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
