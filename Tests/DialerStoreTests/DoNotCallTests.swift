@testable import DialerStore
import Testing

/// Do-not-call lists: a number is added once, checked across the lists a campaign names.
struct DoNotCallTests {
    @Test func aNumberIsAddedOnceAndFoundOnAnyNamedList() throws {
        let scratch = Scratch()
        let (a, b) = (DoNotCallList(name: "a", createdAt: 0), DoNotCallList(name: "b", createdAt: 0))
        try scratch.store.insert(a)
        try scratch.store.insert(b)
        #expect(try scratch.store.addDoNotCall(["+1", "+2", "+1"], listID: a.id) == 2)
        #expect(try scratch.store.addDoNotCall(["+2"], listID: a.id) == 0)
        #expect(try scratch.store.doNotCallCount(listID: a.id) == 2)
        #expect(try scratch.store.isDoNotCall("+1", listIDs: [b.id, a.id]))
        #expect(try !scratch.store.isDoNotCall("+1", listIDs: [b.id]))
        #expect(try !scratch.store.isDoNotCall("+1", listIDs: []))
        #expect(try scratch.store.removeDoNotCall("+1", listID: a.id))
        #expect(try !scratch.store.removeDoNotCall("+1", listID: a.id))
        #expect(try !scratch.store.isDoNotCall("+1", listIDs: [a.id]))
    }
}
