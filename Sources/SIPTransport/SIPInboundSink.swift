import NIOCore
import SIPCore

/// Where the channel handlers hand what they read: stamps requests (§18.2.1) and calls the
/// transport layer's receiver. Runs on the channel's event loop.
final class SIPInboundSink: Sendable {
    let statistics: SIPTransportStatistics
    let validator: SIPMessageValidator
    private let receive: @Sendable (SIPInboundMessage) -> Void

    init(statistics: SIPTransportStatistics, validator: SIPMessageValidator, receive: @escaping @Sendable (SIPInboundMessage) -> Void) {
        self.statistics = statistics
        self.validator = validator
        self.receive = receive
    }

    func deliver(_ message: SIPMessage, source: SocketAddress, transport: SIPTransportType, connection: Channel?) {
        statistics.bump(\.received)
        var message = message
        if case .request(var r) = message {
            SIPViaStamping.stamp(&r, source: source)
            message = .request(r)
        }
        receive(SIPInboundMessage(message: message, source: source, transport: transport, connection: connection))
    }

    /// The error response for a request that failed to parse, per the shared validator.
    func errorResponse(for error: SIPParseError) -> SIPResponse? {
        guard case .reject(let status, let reason, let extra) = validator.check(error).disposition,
              let partial = error.partial else { return nil }
        return SIPResponseFactory.response(toHeaders: partial.headers, status: status, reason: reason, toTag: nil, headers: extra)
    }
}
