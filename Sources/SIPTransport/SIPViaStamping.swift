import NIOCore
import SIPCore

/// What a server transport writes into the top Via of a received request (RFC 3261
/// §18.2.1, RFC 3581 §4): `received` when the source IP differs from the sent-by host, and
/// both `received` and `rport` when the client asked for rport.
enum SIPViaStamping {
    static func stamp(_ request: inout SIPRequest, source: SocketAddress) {
        guard let index = request.headers.firstIndex(where: { $0.name == .via }) else { return }
        let field = request.headers[index]
        var parts = splitTopVia(field.value)
        guard var via = try? Via(parsing: parts.top, strict: false) else { return }
        let ip = source.ipText
        let wantsRport = via.rport != nil
        var changed = false
        if wantsRport, let port = source.port {
            via.parameters.set("rport", String(port))
            via.received = ip
            changed = true
        } else if via.hostWithoutBrackets != ip {
            via.received = ip
            changed = true
        }
        guard changed else { return }
        parts.top = via.description
        request.headers.setValue(parts.rest.isEmpty ? parts.top : parts.top + ", " + parts.rest, at: index)
    }

    /// The first via-parm of a Via field value and the rest of the list.
    private static func splitTopVia(_ value: String) -> (top: String, rest: String) {
        let list = value.split(separator: ",", maxSplits: 1).map { String($0.trimmingSIPWhitespace()) }
        return (list.first ?? value, list.count > 1 ? list[1] : "")
    }
}

extension Via {
    var hostWithoutBrackets: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
