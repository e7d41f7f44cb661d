import Foundation
import Testing
@testable import DialerEngine

struct CallingWindowTests {
    /// 2026-11-23 is a Monday; this is 12:00 UTC that day.
    static let mondayNoonUTC = 1_795_435_200.0

    @Test func theDailyWindowIsReadInTheCampaignsZone() throws {
        let window = try CallingWindow(startsAt: nil, endsAt: nil, timeZone: "America/New_York", dailyStart: "09:00", dailyEnd: "17:00", weekdays: nil)
        // 12:00 UTC is 07:00 in New York (EST): closed; 14:00 UTC is 09:00: open.
        #expect(!window.isOpen(at: Self.mondayNoonUTC))
        #expect(window.isOpen(at: Self.mondayNoonUTC + 2 * 3600))
        #expect(window.isOpen(at: Self.mondayNoonUTC + 9 * 3600 + 59 * 60))
        #expect(!window.isOpen(at: Self.mondayNoonUTC + 10 * 3600), "17:00 is past the end")
        // A contact in Berlin (13:00 there at 12:00 UTC) may be called in its own zone.
        #expect(window.isOpen(at: Self.mondayNoonUTC, contactZone: TimeZone(identifier: "Europe/Berlin")))
    }

    @Test func aWindowEndingBeforeItStartsSpansMidnight() throws {
        let window = try CallingWindow(startsAt: nil, endsAt: nil, timeZone: "UTC", dailyStart: "22:00", dailyEnd: "06:00", weekdays: nil)
        #expect(!window.isOpen(at: Self.mondayNoonUTC))
        #expect(window.isOpen(at: Self.mondayNoonUTC + 10 * 3600 + 30 * 60), "22:30")
        #expect(window.isOpen(at: Self.mondayNoonUTC + 17 * 3600), "05:00 the next day")
        #expect(!window.isOpen(at: Self.mondayNoonUTC + 18 * 3600), "06:00")
    }

    @Test func weekdaysAreISONumbersOrNames() throws {
        let weekend = try CallingWindow(startsAt: nil, endsAt: nil, timeZone: "UTC", dailyStart: nil, dailyEnd: nil, weekdays: "sat, sunday")
        #expect(weekend.weekdays == [6, 7])
        #expect(!weekend.isOpen(at: Self.mondayNoonUTC))
        #expect(weekend.isOpen(at: Self.mondayNoonUTC - 86_400), "Sunday")
        let monday = try CallingWindow(startsAt: nil, endsAt: nil, timeZone: "Asia/Tokyo", dailyStart: nil, dailyEnd: nil, weekdays: "1")
        // Monday 12:00 UTC is Monday 21:00 in Tokyo; Monday 16:00 UTC is Tuesday 01:00 there.
        #expect(monday.isOpen(at: Self.mondayNoonUTC))
        #expect(!monday.isOpen(at: Self.mondayNoonUTC + 4 * 3600))
    }

    @Test func startAndEndTimesBoundTheCampaign() throws {
        let window = try CallingWindow(startsAt: 100, endsAt: 200, timeZone: "UTC", dailyStart: nil, dailyEnd: nil, weekdays: nil)
        #expect(!window.isOpen(at: 99) && window.isOpen(at: 100) && window.isOpen(at: 199.9) && !window.isOpen(at: 200))
        #expect(!window.hasEnded(at: 199.9) && window.hasEnded(at: 200))
    }

    @Test(arguments: [
        ("Mars/Olympus", "09:00", "17:00", "", "time_zone"),
        ("UTC", "9:00", "17:00", "", "daily_start"),
        ("UTC", "09:00", "24:00", "", "daily_end"),
        ("UTC", "09:00", nil, "", "daily_end"),
        ("UTC", nil, nil, "mon,funday", "weekdays"),
        ("UTC", nil, nil, "8", "weekdays"),
    ] as [(String, String?, String?, String, String)])
    func badFieldsAreNamed(zone: String, start: String?, end: String?, weekdays: String, field: String) {
        #expect {
            try CallingWindow(startsAt: nil, endsAt: nil, timeZone: zone, dailyStart: start, dailyEnd: end, weekdays: weekdays)
        } throws: { ($0 as? CallingWindow.Invalid)?.field == field }
    }

    @Test func anEndBeforeTheStartIsRefused() {
        #expect(throws: CallingWindow.Invalid(field: "ends_at", message: "must be after starts_at")) {
            try CallingWindow(startsAt: 200, endsAt: 100, timeZone: "UTC", dailyStart: nil, dailyEnd: nil, weekdays: nil)
        }
    }
}
