import Foundation
import GRDB

/// sipdial's SQLite database (GRDB): one file under the data directory, in WAL mode so the
/// API reads while the pacer writes, foreign keys enforced, migrated to the current schema
/// when opened.
public final class DialerStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// The data directory the database lives in.
    public let directory: URL
    /// Encrypts trunk passwords at rest.
    let secret: StoreSecret

    /// Opens (creating when needed) `<directory>/sipdial.sqlite` and applies the migrations
    /// it lacks.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        path = directory.appendingPathComponent("sipdial.sqlite").path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process (or a restarted one) may hold the write lock for a moment.
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        secret = try StoreSecret(directory: directory)
        try sealPlainPasswords()
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

/// Cursor pagination in insertion order: SQLite's rowid grows with each insert, so the page
/// after the row with id `after` is the rows with a larger rowid.
func page<Record: StoredRecord>(_ request: QueryInterfaceRequest<Record>, after: String?, limit: Int, in db: Database) throws -> [Record] {
    var request = request
    if let after,
       let last = try Int64.fetchOne(db, sql: "SELECT rowid FROM \(Record.databaseTableName) WHERE id = ?", arguments: [after]) {
        request = request.filter(Column.rowID > last)
    }
    return try request.order(Column.rowID).limit(limit).fetchAll(db)
}

/// Encoding shared by the records: Swift's camelCase properties are snake_case columns.
public protocol StoredRecord: Codable, FetchableRecord, PersistableRecord {}

extension StoredRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}
