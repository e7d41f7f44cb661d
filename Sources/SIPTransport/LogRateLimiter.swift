import NIOCore

/// Lets a warning through at most once per `interval` and counts the ones held back, so a
/// flood of bad packets cannot flood the log (time handed in, as everywhere in protocol code).
struct LogRateLimiter {
    let interval: TimeAmount
    private var lastAdmitted: NIODeadline?
    private var heldBack = 0

    init(interval: TimeAmount) {
        self.interval = interval
    }

    /// Nil when this occurrence should not be logged; else how many were held back since the
    /// last one that was.
    mutating func admit(now: NIODeadline) -> Int? {
        if let lastAdmitted, now < lastAdmitted + interval {
            heldBack += 1
            return nil
        }
        lastAdmitted = now
        defer { heldBack = 0 }
        return heldBack
    }
}
