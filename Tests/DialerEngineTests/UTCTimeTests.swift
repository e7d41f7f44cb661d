import Testing
@testable import DialerEngine

struct UTCTimeTests {
    @Test func timesAreUTCWithSecondsAndZ() {
        #expect(UTCTime.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso8601(1_795_435_200.75) == "2026-11-23T12:00:00Z")
        #expect(UTCTime.iso8601(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(UTCTime.iso8601(nil) == nil)
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(UTCTime.http(1_689_660_690) == "Tue, 18 Jul 2023 06:11:30 GMT")
        #expect(UTCTime.http(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(UTCTime.http(nil) == nil)
    }
}
