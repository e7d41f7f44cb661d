import Foundation
import GRDB

/// A list of people to call (a phonebook).
public struct ContactList: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "contact_list"
    public var id: String
    public var name: String
    public var createdAt: Double

    /// A new list with an id of its own.
    public init(name: String, createdAt: Double) {
        (id, self.name, self.createdAt) = (UUID().uuidString.lowercased(), name, createdAt)
    }
}

/// One person on a list: the number, the usual name fields, and custom fields that call
/// flows fill into their text (`{field}` placeholders).
public struct Contact: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "contact"
    public var id: String
    public var listId: String
    /// E.164 when it has a country code (`+15551234567`), else the digits as given.
    public var phone: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var timeZone: String?
    /// Custom fields (a JSON object in the column).
    public var fields: [String: String]
    public var createdAt: Double

    /// A new contact with an id of its own; the name, e-mail, time zone and custom fields are
    /// set on it afterwards.
    public init(listId: String, phone: String, createdAt: Double) {
        (id, self.listId, self.phone, self.createdAt) = (UUID().uuidString.lowercased(), listId, phone, createdAt)
        fields = [:]
    }
}

extension DialerStore {
    public func insert(_ list: ContactList) throws {
        try pool.write { try list.insert($0) }
    }

    public func contactList(id: String) throws -> ContactList? {
        try pool.read { try ContactList.fetchOne($0, key: id) }
    }

    public func contactLists() throws -> [ContactList] {
        try pool.read { try ContactList.order(Column("created_at"), Column("id")).fetchAll($0) }
    }

    /// False when there was no such list; its contacts go with it.
    public func deleteContactList(id: String) throws -> Bool {
        try pool.write { try ContactList.deleteOne($0, key: id) }
    }

    /// Adds contacts in one transaction (a large import commits once), through one prepared
    /// statement: a 100,000-row CSV import is one statement run 100,000 times.
    public func insert(_ contacts: [Contact]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try pool.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO contact (id, list_id, phone, first_name, last_name, email, time_zone, fields, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for c in contacts {
                let fields = c.fields.isEmpty ? "{}" : String(decoding: try encoder.encode(c.fields), as: UTF8.self)
                try statement.execute(arguments: [c.id, c.listId, c.phone, c.firstName, c.lastName, c.email, c.timeZone, fields, c.createdAt])
            }
        }
    }

    /// Every list's number of contacts, in one query (lists without contacts are absent).
    public func contactCounts() throws -> [String: Int] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT list_id, COUNT(*) AS n FROM contact GROUP BY list_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["list_id"] as String, $0["n"] as Int) })
        }
    }

    public func contactCount(listID: String) throws -> Int {
        try pool.read { try Contact.filter(Column("list_id") == listID).fetchCount($0) }
    }

    /// A page of a list's contacts in the order they were added: up to `limit` after the
    /// contact `after` (nil: from the start).
    public func contacts(listID: String, after: String?, limit: Int) throws -> [Contact] {
        try pool.read { try page(Contact.filter(Column("list_id") == listID), after: after, limit: limit, in: $0) }
    }
}

extension Contact {
    /// What a flow's `{placeholders}` read: the custom fields, then phone, first_name,
    /// last_name, email over them.
    public var placeholderValues: [String: String] {
        var values = fields
        values["phone"] = phone
        values["first_name"] = firstName
        values["last_name"] = lastName
        values["email"] = email
        return values
    }
}

extension DialerStore {
    public func contact(id: String) throws -> Contact? {
        try pool.read { try Contact.fetchOne($0, key: id) }
    }
}
