import Foundation

/// `seconds` from now as wall-clock time in `zone`, without an offset, in `format`: how a
/// client writes a local date-time for a campaign or callback.
func wallClock(_ seconds: Double, in zone: String, format: String = "yyyy-MM-dd'T'HH:mm:ss") -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = format
    return formatter.string(from: Date().addingTimeInterval(seconds))
}
