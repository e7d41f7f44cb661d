import Foundation
import GRDB

/// A do-not-call list: numbers a campaign using it must never dial (the pacer checks at dial
/// time and records the call as `dnd` instead).
public struct DoNotCallList: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "dnd_list"
    public var id: String
    public var name: String
    public var createdAt: Double

    public init(name: String, createdAt: Double) {
        (id, self.name, self.createdAt) = (UUID().uuidString.lowercased(), name, createdAt)
    }
}

extension DialerStore {
    public func insert(_ list: DoNotCallList) throws {
        try pool.write { try list.insert($0) }
    }

    public func doNotCallList(id: String) throws -> DoNotCallList? {
        try pool.read { try DoNotCallList.fetchOne($0, key: id) }
    }

    /// Adds numbers (already normalized); numbers on the list already are skipped. Returns
    /// how many were new.
    public func addDoNotCall(_ numbers: [String], listID: String) throws -> Int {
        try pool.write { db in
            var added = 0
            for number in numbers {
                try db.execute(sql: "INSERT OR IGNORE INTO dnd_number (list_id, phone) VALUES (?, ?)", arguments: [listID, number])
                added += db.changesCount
            }
            return added
        }
    }

    /// False when the number was not on the list.
    public func removeDoNotCall(_ number: String, listID: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM dnd_number WHERE list_id = ? AND phone = ?", arguments: [listID, number])
            return db.changesCount > 0
        }
    }

    /// Whether `number` is on any of `listIDs`: the check the pacer makes before each dial.
    public func isDoNotCall(_ number: String, listIDs: [String]) throws -> Bool {
        guard !listIDs.isEmpty else { return false }
        return try pool.read { db in
            let marks = databaseQuestionMarks(count: listIDs.count)
            return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dnd_number WHERE phone = ? AND list_id IN (\(marks)))",
                                     arguments: StatementArguments([number] + listIDs)) ?? false
        }
    }

    public func doNotCallCount(listID: String) throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM dnd_number WHERE list_id = ?", arguments: [listID]) ?? 0 }
    }
}
