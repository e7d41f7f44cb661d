/// Calls per minute as evenly spaced start slots: slot k is at `first + k × 60 / rate`, so
/// the rate over a long run does not drift with the pacer's wake-up jitter: slots a late
/// wake-up missed (up to `catchUp` seconds of them) are started at once. A longer stall (no
/// capacity, nothing due, outside the window) is forgotten: afterwards calls resume at the
/// rate, never as a burst of everything the stall held back.
public struct PacingSchedule: Sendable, Equatable {
    /// Seconds between two call starts.
    public private(set) var interval: Double
    /// When the next call may start; nil before the first.
    public private(set) var nextSlot: Double?
    /// How late a wake-up may be and still start every slot it missed.
    public static let catchUp = 0.25

    public init(callsPerMinute: Double) {
        interval = 60 / callsPerMinute
    }

    /// Whether a call may start at `now` (without taking the slot).
    public func isDue(at now: Double) -> Bool {
        nextSlot.map { now >= $0 } ?? true
    }

    /// Whether a call may start at `now`; when it may, the slot is taken.
    public mutating func take(at now: Double) -> Bool {
        guard let due = nextSlot else {
            nextSlot = now + interval
            return true
        }
        guard now >= due else { return false }
        nextSlot = max(due, now - max(interval, Self.catchUp)) + interval
        return true
    }

    /// A new rate from the next slot on.
    public mutating func change(callsPerMinute: Double) {
        let newInterval = 60 / callsPerMinute
        if let slot = nextSlot { nextSlot = slot - interval + newInterval }
        interval = newInterval
    }
}
