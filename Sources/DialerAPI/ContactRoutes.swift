import DialerStore
import Foundation
import Hummingbird

/// `/v1/lists`: contact lists and their contacts — added as a JSON array or a CSV file, read
/// a page at a time. An import keeps the good rows and reports each bad one with its row
/// (JSON: the index from 0; CSV: the file's line number) and field.
struct ContactRoutes<Context: RequestContext> {
    let store: DialerStore

    struct NewList: Decodable { var name: String? }

    struct ListBody: ResponseEncodable {
        var id, name: String
        var contactCount: Int
    }

    struct Lists: ResponseEncodable { var lists: [ListBody] }

    /// A contact as JSON, both ways.
    struct ContactFields: Codable {
        var id: String?
        var phone: String?
        var firstName, lastName, email, timeZone: String?
        var fields: [String: String]?
    }

    struct NewContacts: Decodable { var contacts: [ContactFields]? }

    struct ImportResult: ResponseEncodable {
        var imported: Int
        var errors: [ImportRowError]
    }

    struct Page: ResponseEncodable {
        var contacts: [ContactFields]
        /// Pass as `cursor` for the next page; absent on the last page.
        var nextCursor: String?
    }

    /// CSV columns that map onto a contact's own fields; any other column is a custom field.
    static var knownColumns: [String] { ["phone", "first_name", "last_name", "email", "time_zone"] }

    func add(to group: RouterGroup<Context>) {
        group.post("lists") { request, context -> EditedResponse<ListBody> in
            let new = try await JSONRequest.decode(NewList.self, from: request, context: context)
            guard let name = new.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw APIError.missing("name") }
            let list = ContactList(name: name, createdAt: Date().timeIntervalSince1970)
            try store.insert(list)
            return EditedResponse(status: .created, response: ListBody(id: list.id, name: list.name, contactCount: 0))
        }
        group.get("lists") { _, _ -> Lists in
            let counts = try store.contactCounts()
            return Lists(lists: try store.contactLists().map { ListBody(id: $0.id, name: $0.name, contactCount: counts[$0.id] ?? 0) })
        }
        group.get("lists/:id") { _, context -> ListBody in
            let list = try existing(context)
            return ListBody(id: list.id, name: list.name, contactCount: try store.contactCount(listID: list.id))
        }
        group.delete("lists/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard try store.deleteContactList(id: id) else { throw APIError.notFound("list", id: id) }
            return Response(status: .noContent)
        }
        group.post("lists/:id/contacts") { request, context -> ImportResult in
            let list = try existing(context)
            let body = try await JSONRequest.decode(NewContacts.self, from: request, context: context)
            guard let rows = body.contacts else { throw APIError.missing("contacts") }
            return try importRows(rows.enumerated().map { ($0, $1) }, into: list)
        }
        group.post("lists/:id/contacts.csv") { request, context -> ImportResult in
            let list = try existing(context)
            let text = String(decoding: Data(buffer: try await request.body.collect(upTo: 64 << 20)), as: UTF8.self)
            return try importRows(try Self.rows(csv: text), into: list)
        }
        group.get("lists/:id/contacts") { request, context -> Page in
            let list = try existing(context)
            let limit = try PageLimit.read(request)
            let cursor = request.uri.queryParameters.get("cursor")
            let page = try store.contacts(listID: list.id, after: cursor, limit: limit)
            return Page(contacts: page.map(Self.fields), nextCursor: page.count == limit ? page.last?.id : nil)
        }
    }

    /// The CSV's data rows as contacts, keyed by its header line; a file without a `phone`
    /// column is refused as a whole.
    static func rows(csv text: String) throws -> [(Int, ContactFields)] {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch let error as CSVTable.UnterminatedQuote {
            throw APIError(.badRequest, code: "invalid_csv", message: "line \(error.line): a quoted field is never closed")
        }
        guard let header = table.rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw APIError(.badRequest, code: "invalid_csv", message: "the file is empty: it needs a header line with a 'phone' column")
        }
        guard header.contains("phone") else {
            throw APIError(.badRequest, code: "invalid_csv", message: "the header line has no 'phone' column", field: "phone")
        }
        return table.rows.dropFirst().map { row in
            var values: [String: String] = [:]
            for (column, value) in zip(header, row.fields) where !value.isEmpty { values[column] = value }
            var contact = ContactFields(phone: values["phone"], firstName: values["first_name"], lastName: values["last_name"],
                                        email: values["email"], timeZone: values["time_zone"])
            let custom = values.filter { !knownColumns.contains($0.key) }
            contact.fields = custom.isEmpty ? nil : custom
            return (row.line, contact)
        }
    }

    private func importRows(_ rows: [(Int, ContactFields)], into list: ContactList) throws -> ImportResult {
        try Self.importRows(rows, into: list, store: store)
    }

    /// Checks each row, stores the good ones in one transaction, reports the others.
    static func importRows(_ rows: [(Int, ContactFields)], into list: ContactList, store: DialerStore) throws -> ImportResult {
        var contacts: [Contact] = []
        var errors: [ImportRowError] = []
        let now = Date().timeIntervalSince1970
        for (row, fields) in rows {
            guard let raw = fields.phone else {
                errors.append(ImportRowError(row: row, field: "phone", message: "'phone' is required"))
                continue
            }
            guard let phone = PhoneNumber.normalize(raw) else {
                errors.append(ImportRowError(row: row, field: "phone", message: "'\(raw)' is not a phone number"))
                continue
            }
            if let zone = fields.timeZone, TimeZone(identifier: zone) == nil {
                errors.append(ImportRowError(row: row, field: "time_zone", message: "'\(zone)' is not a time zone (e.g. America/New_York)"))
                continue
            }
            var contact = Contact(listId: list.id, phone: phone, createdAt: now)
            (contact.firstName, contact.lastName, contact.email, contact.timeZone) = (fields.firstName, fields.lastName, fields.email, fields.timeZone)
            contact.fields = fields.fields ?? [:]
            contacts.append(contact)
        }
        try store.insert(contacts)
        return ImportResult(imported: contacts.count, errors: errors)
    }

    static func fields(_ c: Contact) -> ContactFields {
        ContactFields(id: c.id, phone: c.phone, firstName: c.firstName, lastName: c.lastName, email: c.email, timeZone: c.timeZone,
                      fields: c.fields)
    }

    private func existing(_ context: Context) throws -> ContactList {
        let id = try context.parameters.require("id")
        guard let list = try store.contactList(id: id) else { throw APIError.notFound("list", id: id) }
        return list
    }
}

/// A row an import refused: its index (JSON) or line number (CSV), the field, and why.
struct ImportRowError: Encodable {
    var row: Int
    var field: String
    var message: String
}
