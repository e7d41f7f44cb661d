import Testing
@testable import SIPCore

/// Quoted strings (RFC 3261 §25.1): unquoting resolves quoted-pairs byte by byte and leaves
/// text that is not quoted alone; quoting and unquoting round-trip.
struct QuotedStringTests {
    @Test(arguments: [
        ("\"Acme Reminders\"", "Acme Reminders"),
        ("\"say \\\"hi\\\"\"", "say \"hi\""),
        ("\"back\\\\slash\"", "back\\slash"),
        ("\"\"", ""),
        ("\"Zoë Müller\"", "Zoë Müller"),
        ("\"\\é\"", "é"),
        ("unquoted", "unquoted"),
        ("\"open", "\"open"),
        ("\"", "\""),
        ("", ""),
    ])
    func unquoting(quoted: String, expected: String) {
        #expect(quoted.sipUnquoted == expected)
    }

    @Test(arguments: ["plain", "with \"quotes\"", "back\\slash", "", "Zoë"])
    func quotingRoundTrips(text: String) {
        #expect(text.sipQuoted.sipUnquoted == text)
    }
}
