import Foundation

/// UTC seconds written as text, by hand from the broken-down UTC time: a page of CDRs
/// formats hundreds of times, and a Foundation date formatter costs milliseconds to make on
/// Linux.
public enum UTCTime {
    /// ISO 8601 with `Z`, the API's time format: `2026-11-23T12:00:00Z`.
    public static func iso8601(_ time: Double?) -> String? {
        guard let p = parts(time) else { return nil }
        return "\(p.tm_year + 1900)-\(two(p.tm_mon + 1))-\(two(p.tm_mday))T\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec))Z"
    }

    /// RFC 7231 §7.1.1.1 (IMF-fixdate), as the CPaaS document prints times:
    /// `Tue, 18 Jul 2023 06:11:30 GMT`.
    public static func http(_ time: Double?) -> String? {
        guard let p = parts(time) else { return nil }
        return "\(days[Int(p.tm_wday)]), \(two(p.tm_mday)) \(months[Int(p.tm_mon)]) \(p.tm_year + 1900) \(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) GMT"
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func parts(_ time: Double?) -> tm? {
        guard let time, time.isFinite else { return nil }
        var seconds = time_t(time.rounded(.down))
        var parts = tm()
        return gmtime_r(&seconds, &parts) == nil ? nil : parts
    }

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
