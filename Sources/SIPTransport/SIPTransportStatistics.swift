import Synchronization

/// Counters of what the transport dropped or refused, readable from any thread.
public final class SIPTransportStatistics: Sendable {
    private let counters = Mutex(Counters())

    public struct Counters: Sendable, Equatable {
        /// Datagrams that did not parse and could not be answered.
        public var droppedDatagrams = 0
        /// Malformed requests answered with an error response by the transport.
        public var rejectedMalformed = 0
        /// Stream connections closed because of a framing error.
        public var framingErrors = 0
        /// Messages received and passed up.
        public var received = 0
        /// Messages sent.
        public var sent = 0
        /// Messages not sent because no peer can be at their destination (port 0,
        /// broadcast, multicast, unspecified address): see `UnusableDestination`.
        public var unusableDestinations = 0
        /// Datagrams the kernel refused to send (unreachable network, too long ...).
        public var refusedByKernel = 0
        /// Datagrams refused because too many already waited for the socket's send buffer.
        public var sendQueueOverflows = 0
        /// Requests dropped unanswered by the source guard (`SourceGuard`).
        public var blockedRequests = 0
        /// Sources blocked because a request's User-Agent named a scanner.
        public var scannerBlocks = 0
        /// Sources blocked because they sent too many requests.
        public var floodBlocks = 0
    }

    public init() {}

    public var snapshot: Counters { counters.withLock { $0 } }

    func bump(_ keyPath: WritableKeyPath<Counters, Int>) {
        counters.withLock { $0[keyPath: keyPath] += 1 }
    }
}
