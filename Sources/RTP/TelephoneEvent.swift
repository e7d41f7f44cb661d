/// An RFC 4733 telephone-event payload (§2.3): event code, end bit, volume, duration.
public struct TelephoneEventPayload: Sendable, Equatable {
    /// 0-9, 10 = *, 11 = #, 12-15 = A-D (§3.2).
    public var event: UInt8
    public var isEnd: Bool
    /// Power level in -dBm0, 0-63.
    public var volume: UInt8
    /// Duration so far, in timestamp units.
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume
        self.duration = duration
    }

    public init?(_ payload: UnsafeRawBufferPointer) {
        guard payload.count >= 4 else { return nil }
        self.init(event: payload[0], isEnd: payload[1] & 0x80 != 0, volume: payload[1] & 0x3F,
                  duration: UInt16(payload[2]) << 8 | UInt16(payload[3]))
    }

    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }

    /// The DTMF character of an event code, nil for non-DTMF events.
    public static func digit(_ event: UInt8) -> Character? {
        switch event {
        case 0...9: Character(String(event))
        case 10: "*"
        case 11: "#"
        case 12...15: Character(Unicode.Scalar(UInt8(ascii: "A") + event - 12))
        default: nil
        }
    }

    public static func event(for digit: Character) -> UInt8? {
        switch digit {
        case "0"..."9": digit.asciiValue! - UInt8(ascii: "0")
        case "*": 10
        case "#": 11
        case "A"..."D": digit.asciiValue! - UInt8(ascii: "A") + 12
        case "a"..."d": digit.asciiValue! - UInt8(ascii: "a") + 12
        default: nil
        }
    }
}

/// A digit received as telephone-events.
public struct ReceivedDigit: Sendable, Equatable {
    public var digit: Character
    /// Seconds from the start of the stream to the first packet of the event.
    public var at: Double
    /// The event's duration in ms once its end was seen (else the longest duration seen).
    public var durationMilliseconds: Int

    public init(digit: Character, at: Double, durationMilliseconds: Int) {
        self.digit = digit
        self.at = at
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Turns received telephone-event packets into digits (RFC 4733 §2.5.1): one event per RTP
/// timestamp, so retransmitted end packets and continuation updates do not repeat a digit,
/// and an event whose first packets were lost is still reported from a later one.
public struct TelephoneEventReceiver: Sendable {
    public let clockRate: Int
    public private(set) var digits: [ReceivedDigit] = []
    private var currentTimestamp: UInt32?
    private var currentEnded = false

    public init(clockRate: Int) { self.clockRate = clockRate }

    /// Handles one packet; returns the digit when this packet starts a new event.
    public mutating func handle(_ payload: TelephoneEventPayload, timestamp: UInt32, arrival: Double) -> ReceivedDigit? {
        guard let digit = TelephoneEventPayload.digit(payload.event) else { return nil }
        let ms = Int(payload.duration) * 1000 / clockRate
        if timestamp == currentTimestamp, let last = digits.indices.last {
            if !currentEnded { digits[last].durationMilliseconds = max(digits[last].durationMilliseconds, ms) }
            if payload.isEnd { currentEnded = true }
            return nil
        }
        currentTimestamp = timestamp
        currentEnded = payload.isEnd
        let received = ReceivedDigit(digit: digit, at: arrival, durationMilliseconds: ms)
        digits.append(received)
        return received
    }
}
