import SIPCore

/// The transaction timers of RFC 3261 §17 (table 4 of Appendix A) and RFC 6026 (L and M).
public enum SIPTimer: String, Sendable, Hashable, CaseIterable {
    /// INVITE request retransmit interval, for UDP only (§17.1.1.2).
    case A
    /// INVITE transaction timeout (§17.1.1.2).
    case B
    /// Wait time for response retransmits in the client INVITE Completed state (§17.1.1.2).
    case D
    /// Non-INVITE request retransmit interval, UDP only (§17.1.2.2).
    case E
    /// Non-INVITE transaction timeout (§17.1.2.2).
    case F
    /// INVITE final response retransmit interval (§17.2.1).
    case G
    /// Wait time for ACK receipt (§17.2.1).
    case H
    /// Wait time for ACK retransmits (§17.2.1).
    case I
    /// Wait time for non-INVITE request retransmits (§17.2.2).
    case J
    /// Wait time for response retransmits in the client non-INVITE Completed state (§17.1.2.2).
    case K
    /// Wait time for INVITE retransmissions in the server Accepted state (RFC 6026 §8.7).
    case L
    /// Wait time for 2xx retransmissions in the client Accepted state (RFC 6026 §8.4).
    case M
}

/// Timer base values (RFC 3261 §17.1.1.1, Appendix A). Every timer is derived from these.
public struct SIPTimerConfiguration: Sendable, Equatable {
    /// RTT estimate, default 500 ms.
    public var t1: Duration = .milliseconds(500)
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s.
    public var t2: Duration = .seconds(4)
    /// Maximum time a message stays in the network, default 5 s.
    public var t4: Duration = .seconds(5)
    /// Timer D on unreliable transports: "> 32 s" (§17.1.1.2).
    public var timerDUnreliable: Duration = .seconds(32)

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5), timerDUnreliable: Duration = .seconds(32)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.timerDUnreliable = timerDUnreliable
    }

    /// 64*T1: timers B, F, H, J (unreliable), L and M.
    public var transactionTimeout: Duration { t1 * 64 }

    public static let `default` = SIPTimerConfiguration()
}

/// What a transaction asks its driver to do. Transactions never touch sockets or clocks.
public enum SIPTransactionAction: Sendable, Equatable {
    /// Send this message to the transaction's peer (a retransmission is a send too).
    case send(SIPMessage)
    /// Client: hand this response to the transaction user.
    case deliverResponse(SIPResponse)
    /// Server: hand this ACK (for a non-2xx final response, or one absorbed in Accepted) to the TU.
    case deliverAck(SIPRequest)
    /// Arm a timer; a timer of the same name already armed is replaced.
    case startTimer(SIPTimer, Duration)
    case cancelTimer(SIPTimer)
    /// Timer B, F or H fired: no answer in time (the TU treats it as a 408, §8.1.3.1).
    case timedOut
    /// The transport reported a failure (§17.1.4, §17.2.4).
    case transportFailed
    /// The transaction is over and can be removed from the table.
    case terminated
}

/// What drives a client transaction (RFC 3261 §17.1): its start, responses that matched it,
/// its timers and transport failures.
public enum SIPClientTransactionInput: Sendable, Equatable {
    case start
    case response(SIPResponse)
    case timerFired(SIPTimer)
    case transportError
}

/// What drives a server transaction (RFC 3261 §17.2): requests that matched it (retransmissions,
/// ACK), the TU's responses, its timers and transport failures.
public enum SIPServerTransactionInput: Sendable, Equatable {
    case request(SIPRequest)
    case respond(SIPResponse)
    case timerFired(SIPTimer)
    case transportError
}
