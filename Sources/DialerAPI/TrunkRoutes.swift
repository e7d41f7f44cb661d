import DialerEngine
import DialerStore
import Foundation
import Hummingbird
import SDP

/// `/v1/trunks`: create, list, read, update (only the fields sent) and delete trunks. The
/// password is write-only: responses say whether one is set, never what it is.
struct TrunkRoutes<Context: RequestContext> {
    let store: DialerStore
    /// The live status (registration, OPTIONS round trip) when the dialer runs.
    let monitor: TrunkMonitor?

    /// The fields a client may send; on update, the ones left out keep their values.
    struct Fields: Decodable {
        var name, host, transport, username, password, fromUser, fromDomain, callerId, stripPrefix, addPrefix, srtp: String?
        var port, registerExpires, maxConcurrent, weight, failoverOrder: Int?
        var register, srtpPlainSignaling: Bool?
        var codecs: [String]?
        var maxCallsPerSecond: Double?
    }

    struct Body: ResponseEncodable {
        let trunk: Trunk
        var status: TrunkMonitor.Status?

        /// The stored trunk's own fields (in snake_case through the API's encoder) without the
        /// password, and whether one is set.
        func encode(to encoder: Encoder) throws {
            var visible = trunk
            visible.password = nil
            try visible.encode(to: encoder)
            var container = encoder.container(keyedBy: APIKey.self)
            try container.encode(trunk.password != nil, forKey: "hasPassword")
            if let status { try container.encode(status, forKey: "status") }
        }
    }

    struct List: ResponseEncodable {
        let trunks: [Body]
    }

    static var codecs: [String] { ["pcmu", "pcma", "opus"] }

    /// Applies `fields` onto `trunk`, checking each; the first problem is a 400 naming its field.
    static func apply(_ fields: Fields, to trunk: inout Trunk) throws {
        if let name = fields.name {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError.invalid("name", "must not be empty") }
            trunk.name = name
        }
        if let host = fields.host {
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }), !host.contains("://") else {
                throw APIError.invalid("host", "must be a host name or IP address (no scheme, user or path)")
            }
            trunk.host = host
        }
        try check(fields.port, "port", "must be 1-65535") { (1...65535).contains($0) }.map { trunk.port = $0 }
        try check(fields.transport, "transport", "must be udp, tcp or tls") { ["udp", "tcp", "tls"].contains($0) }.map { trunk.transport = $0 }
        try check(fields.codecs, "codecs", "must list some of pcmu, pcma, opus, each once") {
            !$0.isEmpty && $0.allSatisfy(Self.codecs.contains) && Set($0).count == $0.count
        }.map { trunk.codecs = $0 }
        try check(fields.registerExpires, "register_expires", "must be 60-86400 seconds") { (60...86_400).contains($0) }.map { trunk.registerExpires = $0 }
        try check(fields.maxConcurrent, "max_concurrent", "must be at least 1") { $0 >= 1 }.map { trunk.maxConcurrent = $0 }
        try check(fields.maxCallsPerSecond, "max_calls_per_second", "must be more than 0") { $0 > 0 }.map { trunk.maxCallsPerSecond = $0 }
        try check(fields.weight, "weight", "must be at least 1") { $0 >= 1 }.map { trunk.weight = $0 }
        if let order = fields.failoverOrder { trunk.failoverOrder = order }
        if let register = fields.register { trunk.register = register }
        try check(fields.srtp, "srtp", "must be off, optional or required") { SRTPPolicy(rawValue: $0) != nil }.map { trunk.srtp = $0 }
        if let plain = fields.srtpPlainSignaling { trunk.srtpPlainSignaling = plain }
        for (value, keyPath) in [(fields.username, \Trunk.username), (fields.password, \.password), (fields.fromUser, \.fromUser),
                                 (fields.fromDomain, \.fromDomain), (fields.callerId, \.callerId),
                                 (fields.stripPrefix, \.stripPrefix), (fields.addPrefix, \.addPrefix)] {
            if let value { trunk[keyPath: keyPath] = value.isEmpty ? nil : value }
        }
        if trunk.register, trunk.username == nil || trunk.password == nil {
            throw APIError.invalid(trunk.username == nil ? "username" : "password", "is needed to register")
        }
        // RFC 4568 §8.3: SDES keys are as safe as the signaling that carries them.
        if trunk.srtp != "off", trunk.transport != "tls", !trunk.srtpPlainSignaling {
            throw APIError.invalid("srtp", "sends its keys in the SDP: needs transport tls, or srtp_plain_signaling true to send them over \(trunk.transport)")
        }
    }

    /// `value` when it was sent and `valid` accepts it; nil when it was not sent; a 400
    /// naming `field` otherwise.
    private static func check<T>(_ value: T?, _ field: String, _ problem: String, valid: (T) -> Bool) throws -> T? {
        guard let value else { return nil }
        guard valid(value) else { throw APIError.invalid(field, problem) }
        return value
    }

    func save(_ trunk: Trunk) throws {
        do { try store.save(trunk) } catch StoreConflict.duplicate {
            throw APIError(.conflict, code: "conflict", message: "a trunk named '\(trunk.name)' exists", field: "name")
        }
    }

    func add(to group: RouterGroup<Context>) {
        group.post("trunks") { request, context -> EditedResponse<Body> in
            let fields = try await JSONRequest.decode(Fields.self, from: request, context: context)
            guard fields.name != nil else { throw APIError.missing("name") }
            guard fields.host != nil else { throw APIError.missing("host") }
            var trunk = Trunk(id: UUID().uuidString.lowercased(), name: "", host: "", now: Date().timeIntervalSince1970)
            try Self.apply(fields, to: &trunk)
            try save(trunk)
            return EditedResponse(status: .created, response: Body(trunk: trunk))
        }
        group.get("trunks") { _, _ -> List in
            var trunks: [Body] = []
            for trunk in try store.trunks() { trunks.append(Body(trunk: trunk, status: await monitor?.status(of: trunk.id))) }
            return List(trunks: trunks)
        }
        group.get("trunks/:id") { _, context -> Body in
            let trunk = try existing(context)
            return Body(trunk: trunk, status: await monitor?.status(of: trunk.id))
        }
        group.patch("trunks/:id") { request, context -> Body in
            var trunk = try existing(context)
            try Self.apply(try await JSONRequest.decode(Fields.self, from: request, context: context), to: &trunk)
            trunk.updatedAt = Date().timeIntervalSince1970
            try save(trunk)
            return Body(trunk: trunk)
        }
        group.delete("trunks/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard try store.deleteTrunk(id: id) else { throw APIError.notFound("trunk", id: id) }
            return Response(status: .noContent)
        }
    }

    private func existing(_ context: Context) throws -> Trunk {
        let id = try context.parameters.require("id")
        guard let trunk = try store.trunk(id: id) else { throw APIError.notFound("trunk", id: id) }
        return trunk
    }
}
