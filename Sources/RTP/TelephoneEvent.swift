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

    /// Writes the four payload octets at the start of `out`.
    public func write(into out: UnsafeMutableRawBufferPointer) {
        out[0] = event
        out[1] = (isEnd ? 0x80 : 0) | (volume & 0x3F)
        out[2] = UInt8(duration >> 8)
        out[3] = UInt8(duration & 0xFF)
    }

    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 4)
        b.withUnsafeMutableBytes { write(into: $0) }
        return b
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
    /// The event's duration in ms once its end was seen (else the longest duration seen);
    /// nil for a digit detected in the audio, whose detector does not report it.
    public var durationMilliseconds: Int?

    public init(digit: Character, at: Double, durationMilliseconds: Int?) {
        self.digit = digit
        self.at = at
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Turns received telephone-event packets into digits (RFC 4733 §2.5.1): one event per RTP
/// timestamp, so retransmitted end packets and continuation updates do not repeat a digit,
/// and an event whose first packets were lost is still reported from a later one.
public struct TelephoneEventReceiver: Sendable {
    /// The RTP clock durations count in; a codec change mid-call may change it (the digits
    /// received so far are kept).
    public var clockRate: Int
    public private(set) var digits: [ReceivedDigit] = []
    private var currentTimestamp: UInt32?
    private var currentEnded = false

    public init(clockRate: Int) { self.clockRate = clockRate }

    /// Handles one packet; returns the digit when this packet starts a new event.
    public mutating func handle(_ payload: TelephoneEventPayload, timestamp: UInt32, arrival: Double) -> ReceivedDigit? {
        guard let digit = TelephoneEventPayload.digit(payload.event) else { return nil }
        let ms = Int(payload.duration) * 1000 / clockRate
        if timestamp == currentTimestamp, let last = digits.indices.last {
            if !currentEnded { digits[last].durationMilliseconds = max(digits[last].durationMilliseconds ?? 0, ms) }
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

/// Sends digits as telephone-events (RFC 4733 §2.5.1), one packet per media tick: the first
/// with the marker bit, updates with a growing duration, the end packet three times
/// (§2.5.1.4), then a pause before the next digit. All packets of one event carry the
/// timestamp of its start; the stream's own timestamp keeps advancing underneath.
public struct TelephoneEventSender: Sendable {
    /// Samples per tick (160 at 8 kHz and 20 ms).
    public private(set) var samplesPerTick: UInt16
    /// Length of each tone, in samples.
    public private(set) var toneSamples: UInt16
    /// Ticks of silence (normal audio) between digits.
    public let gapTicks: Int
    private var queue: [UInt8] = []
    private var state = State.idle

    private enum State {
        case idle
        case tone(event: UInt8, start: UInt32, elapsed: UInt16)
        case end(event: UInt8, start: UInt32, sent: Int)
        case gap(remaining: Int)
    }

    /// One event packet to send in place of this tick's audio.
    public struct Packet: Sendable, Equatable {
        public var payload: TelephoneEventPayload
        public var timestamp: UInt32
        public var marker: Bool
    }

    /// Defaults: 100 ms tones and 100 ms gaps at 8 kHz, 20 ms packets.
    public init(samplesPerTick: UInt16 = 160, toneSamples: UInt16 = 800, gapTicks: Int = 5) {
        self.samplesPerTick = samplesPerTick
        self.toneSamples = max(toneSamples, samplesPerTick)
        self.gapTicks = gapTicks
    }

    /// Counts in another RTP clock from now on (a codec change mid-call). Queued digits are
    /// kept; an event being sent is cut short (its timestamp and payload type belonged to the
    /// old clock) and the usual pause follows before the next.
    public mutating func retime(samplesPerTick: UInt16, toneSamples: UInt16) {
        self.samplesPerTick = samplesPerTick
        self.toneSamples = max(toneSamples, samplesPerTick)
        switch state {
        case .idle, .gap: break
        case .tone, .end: state = .gap(remaining: gapTicks)
        }
    }

    /// Queues digits; characters that are not DTMF are ignored.
    public mutating func send(_ digits: String) {
        queue += digits.compactMap(TelephoneEventPayload.event(for:))
    }

    public var isIdle: Bool {
        if case .idle = state { return queue.isEmpty }
        return false
    }

    /// The packet for the tick whose audio would start at `timestamp`, or nil to send audio.
    public mutating func next(timestamp: UInt32) -> Packet? {
        switch state {
        case .idle:
            guard !queue.isEmpty else { return nil }
            let event = queue.removeFirst()
            state = .tone(event: event, start: timestamp, elapsed: samplesPerTick)
            return Packet(payload: TelephoneEventPayload(event: event, isEnd: false, duration: samplesPerTick), timestamp: timestamp, marker: true)
        case let .tone(event, start, elapsed):
            let duration = elapsed + samplesPerTick
            if duration >= toneSamples {
                state = .end(event: event, start: start, sent: 1)
                return Packet(payload: TelephoneEventPayload(event: event, isEnd: true, duration: toneSamples), timestamp: start, marker: false)
            }
            state = .tone(event: event, start: start, elapsed: duration)
            return Packet(payload: TelephoneEventPayload(event: event, isEnd: false, duration: duration), timestamp: start, marker: false)
        case let .end(event, start, sent):
            state = sent + 1 == 3 ? .gap(remaining: gapTicks) : .end(event: event, start: start, sent: sent + 1)
            return Packet(payload: TelephoneEventPayload(event: event, isEnd: true, duration: toneSamples), timestamp: start, marker: false)
        case let .gap(remaining):
            state = remaining <= 1 ? .idle : .gap(remaining: remaining - 1)
            return nil
        }
    }
}
