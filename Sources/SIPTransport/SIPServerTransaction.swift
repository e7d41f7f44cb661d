import NIOCore
import SIPCore
import SIPTransaction

/// A handle on one server transaction, given to the transaction user for each new request.
/// `respond` may be called from any thread; the work hops to the transaction layer's loop.
public final class SIPServerTransaction: Sendable {
    public let request: SIPRequest
    public let inbound: SIPInboundMessage
    public let key: SIPTransactionKey
    /// The To tag for responses that need one (one per transaction, RFC 3261 §8.2.6.2).
    public let localTag: String
    private let layer: SIPTransactionLayer

    init(request: SIPRequest, inbound: SIPInboundMessage, key: SIPTransactionKey, layer: SIPTransactionLayer) {
        self.request = request
        self.inbound = inbound
        self.key = key
        self.layer = layer
        self.localTag = SIPIdentifiers.tag()
    }

    /// Sends a response through the transaction.
    public func respond(_ response: SIPResponse) {
        layer.respond(response, key: key)
    }

    /// Builds a response with the standard copied headers and this transaction's To tag, and sends it.
    public func respond(status: Int, reason: String? = nil, headers: [SIPHeaderField] = [], body: [UInt8] = []) {
        respond(SIPResponseFactory.response(to: request, status: status, reason: reason, toTag: localTag, headers: headers, body: body))
    }
}

/// What a client transaction reports to its user.
public enum SIPClientTransactionEvent: Sendable, Equatable {
    case response(SIPResponse)
    /// Timer B or F fired (treat as 408, RFC 3261 §8.1.3.1).
    case timedOut
    case transportFailed
}
