import DialerEngine
import Hummingbird

/// `GET /v1/security`: what the SIP endpoint's source guard (issue #24 item 3) has done —
/// requests dropped, sources blocked as scanners and as floods — and the sources blocked
/// now, why, with the seconds left on each.
struct SecurityRoutes<Context: RequestContext> {
    let dialer: Dialer?

    struct BlockedSource: Encodable {
        let address: String
        /// `scanner` or `flood`.
        let reason: String
        let secondsLeft: Double
    }

    struct Body: ResponseEncodable {
        let blockedRequests: Int
        let scannerBlocks: Int
        let floodBlocks: Int
        let blockedSources: [BlockedSource]
    }

    func add(to group: RouterGroup<Context>) {
        group.get("security") { _, _ -> Body in
            guard let dialer else { throw APIError(.serviceUnavailable, code: "dialer_unavailable", message: "the dialer is not running in this process") }
            let counters = dialer.sip.transport.statistics.snapshot
            let blocked = try await dialer.sip.transactions.blockedSources()
            return Body(blockedRequests: counters.blockedRequests, scannerBlocks: counters.scannerBlocks, floodBlocks: counters.floodBlocks,
                        blockedSources: blocked.map { BlockedSource(address: $0.source, reason: $0.reason.rawValue, secondsLeft: ($0.secondsLeft * 10).rounded() / 10) })
        }
    }
}
