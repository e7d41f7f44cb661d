@testable import DialerStore
import Testing

/// Opening the store: SQLite in WAL mode, migrated to the current schema once.
struct DialerStoreTests {
    @Test func openingCreatesAWALDatabaseAtTheCurrentSchema() throws {
        let scratch = Scratch()
        #expect(try scratch.store.journalMode() == "wal")
        #expect(try scratch.store.appliedMigrations().count == 6)
        // Opening again applies nothing twice.
        let again = try DialerStore(directory: scratch.directory)
        #expect(try again.appliedMigrations() == scratch.store.appliedMigrations())
    }
}
