import Foundation

/// When a campaign may dial: between its start and end times, on its weekdays, inside its
/// daily window — the weekday and the time of day read in the campaign's time zone, or in a
/// contact's own zone when the campaign says so and the contact has one.
public struct CallingWindow: Sendable, Equatable {
    public var startsAt: Double?
    public var endsAt: Double?
    public var timeZone: TimeZone
    /// Minutes after midnight; an end before the start spans midnight (22:00-06:00).
    public var dailyStart: Int?
    public var dailyEnd: Int?
    /// ISO weekdays, Monday 1 ... Sunday 7; empty: every day.
    public var weekdays: Set<Int>

    public init(startsAt: Double? = nil, endsAt: Double? = nil, timeZone: TimeZone = .gmt, dailyStart: Int? = nil,
                dailyEnd: Int? = nil, weekdays: Set<Int> = []) {
        (self.startsAt, self.endsAt, self.timeZone) = (startsAt, endsAt, timeZone)
        (self.dailyStart, self.dailyEnd, self.weekdays) = (dailyStart, dailyEnd, weekdays)
    }

    /// A field of the window that cannot be read, by its API name.
    public struct Invalid: Error, Sendable, Equatable {
        public var field: String
        public var message: String
    }

    /// The window as text: an IANA zone, "HH:MM" times, weekdays as "1,2,3" or names
    /// ("mon,tue"). Both daily times or neither.
    public init(startsAt: Double?, endsAt: Double?, timeZone: String, dailyStart: String?, dailyEnd: String?, weekdays: String?) throws(Invalid) {
        guard let zone = TimeZone(identifier: timeZone) else { throw Invalid(field: "time_zone", message: "is not an IANA time zone name") }
        let start = try dailyStart.map { text throws(Invalid) in try Self.minutes(text, field: "daily_start") }
        let end = try dailyEnd.map { text throws(Invalid) in try Self.minutes(text, field: "daily_end") }
        guard (start == nil) == (end == nil) else { throw Invalid(field: start == nil ? "daily_start" : "daily_end", message: "daily_start and daily_end go together") }
        if let startsAt, let endsAt, endsAt <= startsAt { throw Invalid(field: "ends_at", message: "must be after starts_at") }
        self.init(startsAt: startsAt, endsAt: endsAt, timeZone: zone, dailyStart: start, dailyEnd: end,
                  weekdays: try Self.weekdays(weekdays ?? ""))
    }

    /// Whether a call may start at `time` (UTC seconds), with the contact's zone when given.
    public func isOpen(at time: Double, contactZone: TimeZone? = nil) -> Bool {
        if let startsAt, time < startsAt { return false }
        if hasEnded(at: time) { return false }
        guard dailyStart != nil || !weekdays.isEmpty else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = contactZone ?? timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: Date(timeIntervalSince1970: time))
        // Calendar counts Sunday as 1; ISO counts Monday as 1.
        let isoWeekday = (parts.weekday! + 5) % 7 + 1
        if !weekdays.isEmpty, !weekdays.contains(isoWeekday) { return false }
        guard let dailyStart, let dailyEnd else { return true }
        let minute = parts.hour! * 60 + parts.minute!
        return dailyStart <= dailyEnd ? (minute >= dailyStart && minute < dailyEnd) : (minute >= dailyStart || minute < dailyEnd)
    }

    /// Whether the end time has passed: the campaign is over.
    public func hasEnded(at time: Double) -> Bool {
        endsAt.map { time >= $0 } ?? false
    }

    static func minutes(_ text: String, field: String) throws(Invalid) -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...23).contains(h), (0...59).contains(m) else {
            throw Invalid(field: field, message: "must be HH:MM (00:00-23:59)")
        }
        return h * 60 + m
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static func weekdays(_ text: String) throws(Invalid) -> Set<Int> {
        var days: Set<Int> = []
        for item in text.split(separator: ",") {
            let word = item.trimmingCharacters(in: .whitespaces).lowercased()
            if let n = Int(word), (1...7).contains(n) {
                days.insert(n)
            } else if let index = dayNames.firstIndex(of: String(word.prefix(3))), word.count >= 3 {
                days.insert(index + 1)
            } else {
                throw Invalid(field: "weekdays", message: "'\(word)' is not a weekday (1-7 with Monday 1, or mon-sun)")
            }
        }
        return days
    }
}
