import SIPCore

/// Where a response goes (RFC 3261 §18.2.2 with RFC 3581 §4): over the request's stream when
/// it is still open (decided by the caller), otherwise to the address this returns.
enum SIPResponseRouting {
    struct Target: Equatable {
        var host: String
        var port: Int
    }

    /// The host and port from the top Via of the request being answered.
    static func target(for topVia: Via) -> Target {
        let defaultPort = 5060
        if let maddr = topVia.maddr {
            return Target(host: maddr, port: topVia.port ?? defaultPort)
        }
        if let received = topVia.received {
            let host = received.hasPrefix("[") ? String(received.dropFirst().dropLast()) : received
            if case .some(.some(let rport)) = topVia.rport {
                return Target(host: host, port: rport)
            }
            return Target(host: host, port: topVia.port ?? defaultPort)
        }
        return Target(host: topVia.hostWithoutBrackets, port: topVia.port ?? defaultPort)
    }
}
