import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// The seed's campaign manager: contact lists (JSON and CSV), DND lists (JSON and CSV),
/// `create_campaign` (an announcement of text with `{field}` placeholders or of a recording,
/// or a one-digit survey after it; started at once, dialing inside its start and end dates),
/// `stop_campaign` and `get_campaign_details`. The seed's CSV files "uploaded to S3" are files
/// in the data directory's `imports/` folder.
struct CPaaSCampaignRoutes<Context: RequestContext> {
    let store: DialerStore

    func add(to group: RouterGroup<Context>) {
        group.post("create_campaign_list") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = ContactList(name: try body.required("list_name"), createdAt: Date().timeIntervalSince1970)
            try store.insert(list)
            return CPaaS.Response(["list_id": .string(list.id)])
        }
        group.post("add_contact_to_list") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = try contactList(body)
            guard case .array(let items)? = body.values["contacts"] else { throw CPaaS.Failure.missing("contacts") }
            var rows: [(Int, ContactRoutes<Context>.ContactFields)] = []
            for (index, item) in items.enumerated() {
                guard case .object(let contact) = item else { throw CPaaS.Failure.invalid("contacts[\(index)]", "must be an object") }
                let fields = CPaaS.Body(values: contact)
                var row = ContactRoutes<Context>.ContactFields(phone: try fields.string("contact_number"), firstName: try fields.string("contact_name"))
                if case .object(let custom)? = contact["contact_fields"] {
                    row.fields = try custom.keys.reduce(into: [:]) { out, key in out[key] = try CPaaS.Body(values: custom).string(key) }
                }
                rows.append((index, row))
            }
            return try imported(ContactRoutes<Context>.importRows(rows, into: list, store: store).imported, of: rows.count, what: "contacts")
        }
        group.post("import_broadcast_contacts_csv") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = try contactList(body)
            let text = try importFile(body, key: "csv_name")
            let rows = try Self.csvRows(text, phoneColumns: ["contact_number", "phone", "number"])
            let result = try ContactRoutes<Context>.importRows(rows, into: list, store: store)
            return try imported(result.imported, of: rows.count, what: "contacts")
        }
        group.post("create_campaign_dnd_list") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = DoNotCallList(name: try body.required("dnd_list_name"), createdAt: Date().timeIntervalSince1970)
            try store.insert(list)
            return CPaaS.Response(["dnd_list_id": .string(list.id)])
        }
        group.post("add_dnd_contact_to_list") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = try dndList(body)
            guard case .array(let items)? = body.values["dnd_contacts"] else { throw CPaaS.Failure.missing("dnd_contacts") }
            let numbers = try items.map { item -> String? in
                guard case .object(let contact) = item else { return nil }
                return try CPaaS.Body(values: contact).string("dnd_contact_number").flatMap(PhoneNumber.normalize)
            }
            let added = try store.addDoNotCall(numbers.compactMap { $0 }, listID: list.id)
            return try imported(added, of: items.count, what: "DND contacts")
        }
        group.post("import_dnd_contacts_csv") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let list = try dndList(body)
            let rows = try Self.csvRows(try importFile(body, key: "dnd_csv_name"), phoneColumns: ["dnd_contact_number", "contact_number", "phone", "number"])
            let added = try store.addDoNotCall(rows.compactMap { $0.1.phone.flatMap(PhoneNumber.normalize) }, listID: list.id)
            return try imported(added, of: rows.count, what: "DND contacts")
        }
        group.post("create_campaign") { request, _ -> CPaaS.Response in
            let campaign = try CPaaSCampaign.create(try await CPaaS.Body.read(request), store: store)
            return CPaaS.Response(["campaign_id": .string(campaign.id)])
        }
        group.post("stop_campaign") { request, _ -> CPaaS.Response in try await stop(request) }
        group.get("get_campaign_details") { _, _ -> CPaaS.Response in
            let campaigns = try store.campaigns().map(CPaaSCampaign.details)
            return CPaaS.Response(["message": .string(campaigns.isEmpty ? "no campaign found" : "campaign found"), "result": .array(campaigns)])
        }
    }

    /// `stop_campaign`: the campaign stops dialing (calls up finish).
    func stop(_ request: Request) async throws -> CPaaS.Response {
        let body = try await CPaaS.Body.read(request)
        let id = try body.required("campaign_id")
        do {
            guard try store.apply(.stop, toCampaign: id, now: Date().timeIntervalSince1970) != nil else {
                throw CPaaS.Failure.notFound("campaign", id, field: "campaign_id")
            }
        } catch is CampaignTransitionRefused {
            throw CPaaS.Failure(status: .conflict, message: "the campaign is already stopped", field: "campaign_id")
        }
        return CPaaS.Response(["message": .string("campaign stopped successfully")])
    }

    private func imported(_ count: Int, of total: Int, what: String) throws -> CPaaS.Response {
        var fields: [String: JSONValue] = ["message": .string("(\(count)) \(what) imported successfully")]
        if count < total { fields["skipped"] = .number(Double(total - count)) }
        return CPaaS.Response(fields)
    }

    private func contactList(_ body: CPaaS.Body) throws -> ContactList {
        let id = try body.required("list_id")
        guard let list = try store.contactList(id: id) else { throw CPaaS.Failure.notFound("list", id, field: "list_id") }
        return list
    }

    private func dndList(_ body: CPaaS.Body) throws -> DoNotCallList {
        let id = try body.required("dnd_list_id")
        guard let list = try store.doNotCallList(id: id) else { throw CPaaS.Failure.notFound("DND list", id, field: "dnd_list_id") }
        return list
    }

    /// The text of `<data>/imports/<name>`; a name with a path in it is refused.
    private func importFile(_ body: CPaaS.Body, key: String) throws -> String {
        let name = try body.required(key)
        guard !name.contains("/"), !name.hasPrefix(".") else { throw CPaaS.Failure.invalid(key, "must be a file name in the data directory's imports/ folder") }
        let path = store.directory.appendingPathComponent("imports").appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CPaaS.Failure.notFound("file in the data directory's imports/ folder named", name, field: key)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A CSV file's rows as contacts: the number from the first of `phoneColumns` present,
    /// `contact_name` as the first name, every other column a custom field.
    static func csvRows(_ text: String, phoneColumns: [String]) throws -> [(Int, ContactRoutes<Context>.ContactFields)] {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch let error as CSVTable.UnterminatedQuote {
            throw CPaaS.Failure(status: .badRequest, message: "line \(error.line): a quoted field is never closed", field: nil)
        }
        guard let header = table.rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let phoneColumn = phoneColumns.first(where: header.contains) else {
            throw CPaaS.Failure(status: .badRequest, message: "the header line has none of the columns \(phoneColumns.joined(separator: ", "))", field: nil)
        }
        return table.rows.dropFirst().map { row in
            var values: [String: String] = [:]
            for (column, value) in zip(header, row.fields) where !value.isEmpty { values[column] = value }
            var contact = ContactRoutes<Context>.ContactFields(phone: values[phoneColumn], firstName: values["contact_name"])
            let custom = values.filter { $0.key != phoneColumn && $0.key != "contact_name" }
            contact.fields = custom.isEmpty ? nil : custom
            return (row.line, contact)
        }
    }
}
