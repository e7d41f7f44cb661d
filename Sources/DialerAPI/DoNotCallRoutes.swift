import DialerStore
import Foundation
import Hummingbird

/// `/v1/dnd`: do-not-call lists. Numbers are normalized like contacts' so `+1 555 010 0001`
/// and `+15550100001` are the same number; a campaign names the lists it honours.
struct DoNotCallRoutes<Context: RequestContext> {
    let store: DialerStore

    struct NewList: Decodable { var name: String? }
    struct NewNumbers: Decodable { var numbers: [String]? }

    struct ListBody: ResponseEncodable {
        var id, name: String
        var numberCount: Int
    }

    struct Added: ResponseEncodable {
        var added: Int
        var errors: [ImportRowError]
    }

    struct Check: ResponseEncodable {
        var phone: String
        var doNotCall: Bool
    }

    func add(to group: RouterGroup<Context>) {
        group.post("dnd") { request, context -> EditedResponse<ListBody> in
            let new = try await JSONRequest.decode(NewList.self, from: request, context: context)
            guard let name = new.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { throw APIError.missing("name") }
            let list = DoNotCallList(name: name, createdAt: Date().timeIntervalSince1970)
            try store.insert(list)
            return EditedResponse(status: .created, response: ListBody(id: list.id, name: list.name, numberCount: 0))
        }
        group.get("dnd/:id") { _, context -> ListBody in
            let list = try existing(context)
            return ListBody(id: list.id, name: list.name, numberCount: try store.doNotCallCount(listID: list.id))
        }
        group.post("dnd/:id/numbers") { request, context -> Added in
            let list = try existing(context)
            guard let numbers = try await JSONRequest.decode(NewNumbers.self, from: request, context: context).numbers else {
                throw APIError.missing("numbers")
            }
            var good: [String] = []
            var errors: [ImportRowError] = []
            for (row, text) in numbers.enumerated() {
                if let number = PhoneNumber.normalize(text) { good.append(number) } else {
                    errors.append(ImportRowError(row: row, field: "numbers", message: "'\(text)' is not a phone number"))
                }
            }
            return Added(added: try store.addDoNotCall(good, listID: list.id), errors: errors)
        }
        group.get("dnd/:id/numbers/:phone") { _, context -> Check in
            let list = try existing(context)
            let phone = try number(context)
            return Check(phone: phone, doNotCall: try store.isDoNotCall(phone, listIDs: [list.id]))
        }
        group.delete("dnd/:id/numbers/:phone") { _, context -> Response in
            let list = try existing(context)
            let phone = try number(context)
            guard try store.removeDoNotCall(phone, listID: list.id) else { throw APIError.notFound("number on this list", id: phone) }
            return Response(status: .noContent)
        }
    }

    private func number(_ context: Context) throws -> String {
        let text = try context.parameters.require("phone")
        guard let phone = PhoneNumber.normalize(text.removingPercentEncoding ?? text) else { throw APIError.invalid("phone", "'\(text)' is not a phone number") }
        return phone
    }

    private func existing(_ context: Context) throws -> DoNotCallList {
        let id = try context.parameters.require("id")
        guard let list = try store.doNotCallList(id: id) else { throw APIError.notFound("do-not-call list", id: id) }
        return list
    }
}
