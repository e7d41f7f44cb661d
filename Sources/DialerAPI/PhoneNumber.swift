import Foundation

/// A phone number as the dialer stores it: `+` and digits (E.164, ITU-T E.164 §6: at most 15
/// digits) when it has a country code, else digits alone; spaces, dashes, dots and
/// parentheses people write are dropped.
enum PhoneNumber {
    /// The normalized number, or nil when `text` is not a phone number.
    static func normalize(_ text: String) -> String? {
        var out = ""
        for (index, c) in text.trimmingCharacters(in: .whitespaces).enumerated() {
            if c.isASCII, c.isNumber { out.append(c) }
            else if c == "+", index == 0 { out.append(c) }
            else if !" -.()".contains(c) { return nil }
        }
        let digits = out.filter(\.isNumber).count
        return (3...15).contains(digits) ? out : nil
    }

    /// The normalized number, or a 400 naming `field`.
    static func normalize(_ text: String, field: String) throws -> String {
        guard let phone = normalize(text) else { throw APIError.invalid(field, "'\(text)' is not a phone number") }
        return phone
    }
}
