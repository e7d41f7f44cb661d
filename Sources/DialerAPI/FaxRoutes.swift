import DialerEngine
import Hummingbird

/// `/v1/faxes`: send a stored document (`/v1/documents`) to a number now, and read how it
/// went. A fax is a call whose flow is one `fax` verb: placed through the trunk like any
/// call, `Idempotency-Key` as for calls, T.30's result in its CDR's `fax` (pages, bit rate,
/// ECM, transport, remote station ID), status callbacks with a `fax` event. A fax at a time
/// of day is a callback (`/v1/callbacks`) with the same flow; many faxes, a campaign.
struct FaxRoutes<Context: RequestContext> {
    let calls: CallRoutes<Context>

    struct NewFax: Decodable {
        var phone, document, trunkId, callerId, statusCallback, transport, stationId, header: String?
        var ecm: Bool?
        var timeout: Double?
    }

    func add(to group: RouterGroup<Context>) {
        group.post("faxes") { request, context -> EditedResponse<CallRoutes<Context>.Placed> in
            let fax = try await JSONRequest.decode(NewFax.self, from: request, context: context)
            guard let document = fax.document else { throw APIError.missing("document") }
            var verb: [String: JSONValue] = ["verb": .string("fax"), "document": .string(document)]
            for (key, value) in [("transport", fax.transport), ("station_id", fax.stationId), ("header", fax.header)] {
                if let value { verb[key] = .string(value) }
            }
            if let ecm = fax.ecm { verb["ecm"] = .bool(ecm) }
            if let timeout = fax.timeout { verb["timeout"] = .number(timeout) }
            let new = CallRoutes<Context>.NewCall(phone: fax.phone, trunkId: fax.trunkId, callerId: fax.callerId, statusCallback: fax.statusCallback,
                                                  flow: .array([.object(verb)]))
            do {
                return CallRoutes<Context>.edited(try await calls.originate(new, request: request, kind: "fax"))
            } catch var error as APIError {
                // The verb's fields are the request's own here: `flow[0].document` is `document`.
                if let field = error.field, field.hasPrefix("flow[0].") { error.field = String(field.dropFirst("flow[0].".count)) }
                throw error
            }
        }
        group.get("faxes/:id") { _, context -> CallRoutes<Context>.CallState in
            try calls.state(of: try context.parameters.require("id"), what: "fax")
        }
    }
}
