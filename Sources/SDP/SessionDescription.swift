/// A session description (RFC 4566 §5): the session-level fields and the media
/// descriptions, in the order RFC 4566 §5 prescribes.
///
/// Fields sipdial interprets are typed; every other line (`i=`, `u=`, `e=`, `p=`, `b=`, `r=`,
/// `z=`, `k=`) is kept in `otherLines` and written back in its grammar position, and unknown
/// attributes stay in `attributes` in order, so a description round-trips.
public struct SessionDescription: Sendable, Equatable {
    /// `o=` (§5.2).
    public var origin: SDPOrigin
    /// `s=` (§5.3); a single space when the offerer has no name for the session.
    public var sessionName: String
    /// Session-level `c=` (§5.7), the default for media without their own.
    public var connection: SDPConnection?
    /// `t=` lines (§5.9), as written (`0 0` for a session without time bounds).
    public var timing: [String]
    /// Session-level `a=` lines (§5.13), in order.
    public var attributes: [SDPAttribute]
    /// Session-level lines of other types, in the order received.
    public var otherLines: [SDPLine]
    /// `m=` sections (§5.14), in order: an answer keeps the offer's order and count (RFC 3264 §6).
    public var media: [MediaDescription]

    public init(origin: SDPOrigin, sessionName: String = "sipdial", connection: SDPConnection? = nil,
                timing: [String] = ["0 0"], attributes: [SDPAttribute] = [], otherLines: [SDPLine] = [],
                media: [MediaDescription] = []) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.timing = timing
        self.attributes = attributes
        self.otherLines = otherLines
        self.media = media
    }

    /// The connection address of a media section: its own `c=` or the session's (§5.7).
    public func connection(of media: MediaDescription) -> SDPConnection? {
        media.connection ?? connection
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 4566 §5.2).
public struct SDPOrigin: Sendable, Equatable {
    public var username: String
    /// Kept as text: RFC 4566 only asks for a numeric string, and some peers exceed 64 bits.
    public var sessionID: String
    /// Incremented by one for each new offer or answer of the session (RFC 3264 §8).
    public var sessionVersion: UInt64
    public var address: SDPConnection

    public init(username: String = "sipdial", sessionID: String, sessionVersion: UInt64, address: SDPConnection) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.address = address
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 4566 §5.7), also the address part of `o=`.
public struct SDPConnection: Sendable, Equatable {
    public enum AddressType: String, Sendable {
        case ip4 = "IP4"
        case ip6 = "IP6"
    }

    public var addressType: AddressType
    /// The address; for multicast any `/ttl/count` suffix stays part of it.
    public var address: String

    public init(_ addressType: AddressType, _ address: String) {
        self.addressType = addressType
        self.address = address
    }

    /// An address of the right type for `address` (IPv6 when it holds a colon).
    public init(address: String) {
        self.init(address.contains(":") ? .ip6 : .ip4, address)
    }

    /// RFC 2543 hold: a connection address of 0.0.0.0 means "do not send" (RFC 3264 §8.4).
    public var isHoldAddress: Bool { addressType == .ip4 && address == "0.0.0.0" }
}

/// `a=<name>[:<value>]` (RFC 4566 §5.13).
public struct SDPAttribute: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// A line sipdial does not interpret: its one-letter type and its value.
public struct SDPLine: Sendable, Equatable {
    public var type: Character
    public var value: String

    public init(_ type: Character, _ value: String) {
        self.type = type
        self.value = value
    }
}

/// The direction attributes (RFC 4566 §6, RFC 3264 §5.1).
public enum SDPDirection: String, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// The direction an answerer uses for an offer in this direction, when it is willing to
    /// do as much as `wanted` (RFC 3264 §6.1).
    public func answer(wanting wanted: SDPDirection) -> SDPDirection {
        let send = receives && wanted.sends
        let receive = sends && wanted.receives
        return SDPDirection(sends: send, receives: receive)
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }
}
