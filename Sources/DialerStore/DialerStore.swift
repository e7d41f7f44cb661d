import Foundation
import GRDB

/// sipdial's SQLite database (GRDB): one file under the data directory, in WAL mode so the
/// API reads while the pacer writes, foreign keys enforced, migrated to the current schema
/// when opened.
public final class DialerStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating when needed) `<directory>/sipdial.sqlite` and applies the migrations
    /// it lacks.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("sipdial.sqlite").path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process (or a restarted one) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
    }

    /// The migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try Schema.migrator.appliedMigrations($0) }
    }

    /// SQLite's journal mode ("wal").
    public func journalMode() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }
}

/// Encoding shared by the records: Swift's camelCase properties are snake_case columns.
public protocol StoredRecord: Codable, FetchableRecord, PersistableRecord {}

extension StoredRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}
