import NIOCore
import Testing
@testable import SIPTransport

/// `SourceGuard` with the time handed in: the pike-like limit (more than 16 requests in
/// 2 s blocks for 300 s), scanner User-Agents (blocked at once), exemptions and the bound on
/// tracked sources.
struct SourceGuardTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func at(_ seconds: Double) -> NIODeadline { start + .nanoseconds(Int64(seconds * 1e9)) }

    @Test func theSeventeenthRequestWithinTwoSecondsBlocksTheSourceForFiveMinutes() {
        var guarded = SourceGuard()
        for i in 0..<16 {
            #expect(guarded.check(source: "192.0.2.7", userAgent: "Softphone 1.0", exempt: false, now: at(Double(i) * 0.1)) == .admit)
        }
        #expect(guarded.check(source: "192.0.2.7", userAgent: nil, exempt: false, now: at(1.7)) == .nowBlocked(.flood, until: at(301.7)))
        #expect(guarded.check(source: "192.0.2.7", userAgent: nil, exempt: false, now: at(200)) == .blocked)
        #expect(guarded.check(source: "192.0.2.8", userAgent: nil, exempt: false, now: at(200)) == .admit, "another source is not blocked")
        #expect(guarded.blocked(now: at(200)).map(\.source) == ["192.0.2.7"])
        #expect(guarded.check(source: "192.0.2.7", userAgent: nil, exempt: false, now: at(301.7)) == .admit, "the block ends")
        #expect(guarded.blocked(now: at(301.7)).isEmpty)
    }

    @Test func aSteadySourceUnderTheLimitIsNeverBlocked() {
        var guarded = SourceGuard()
        // 8 requests a second for a minute: 16 per 2 s window, never more.
        for i in 0..<480 {
            #expect(guarded.check(source: "198.51.100.1", userAgent: nil, exempt: false, now: at(Double(i) / 8)) == .admit, "request \(i)")
        }
    }

    @Test func aScannerUserAgentBlocksItsSourceWhateverItSendsNext() {
        var guarded = SourceGuard()
        for (i, agent) in ["friendly-scanner", "sipcli/v1.8", "VaxSIPUserAgent/3.1", "SIPVicious 0.3", "Friendly-Scanner"].enumerated() {
            #expect(guarded.check(source: "203.0.113.\(i)", userAgent: agent, exempt: false, now: start) == .nowBlocked(.scanner, until: at(300)), "\(agent)")
        }
        #expect(guarded.check(source: "203.0.113.0", userAgent: "Grandstream GXP2170", exempt: false, now: at(10)) == .blocked, "another name, same source")
        #expect(guarded.blocked(now: at(10)).map(\.reason) == Array(repeating: .scanner, count: 5))
        #expect(guarded.check(source: "203.0.113.9", userAgent: "Grandstream GXP2170", exempt: false, now: start) == .admit)
        var open = SourceGuard.Settings()
        open.scannerAgents = []
        var unlisted = SourceGuard(settings: open)
        #expect(unlisted.check(source: "203.0.113.5", userAgent: "friendly-scanner", exempt: false, now: start) == .admit, "an empty list drops none")
    }

    @Test func exemptSourcesPassWhateverTheyDo() {
        var guarded = SourceGuard()
        for i in 0..<1_000 {
            #expect(guarded.check(source: "127.0.0.1", userAgent: "friendly-scanner", exempt: true, now: at(Double(i) / 1_000)) == .admit)
        }
        #expect(guarded.blocked(now: at(1)).isEmpty)
        var settings = SourceGuard.Settings()
        settings.exemptAddresses = ["127.0.0.9"]
        var listed = SourceGuard(settings: settings)
        for _ in 0..<100 { #expect(listed.check(source: "127.0.0.9", userAgent: nil, exempt: false, now: start) == .admit) }
    }

    @Test func withoutALimitOnlyScannersAreBlocked() {
        var settings = SourceGuard.Settings()
        settings.limit = nil
        var guarded = SourceGuard(settings: settings)
        for _ in 0..<100 { #expect(guarded.check(source: "192.0.2.1", userAgent: nil, exempt: false, now: start) == .admit) }
        #expect(guarded.check(source: "192.0.2.1", userAgent: "sipcli", exempt: false, now: start) == .nowBlocked(.scanner, until: at(300)))
    }

    @Test func theTableOfSourcesStaysBoundedAndKeepsItsBlocks() {
        var settings = SourceGuard.Settings()
        (settings.maxSources, settings.limit) = (100, 2)
        var guarded = SourceGuard(settings: settings)
        for _ in 0..<3 { _ = guarded.check(source: "10.0.0.1", userAgent: nil, exempt: false, now: start) }
        // A flood of new sources within the window: past 100 tracked, new ones pass untracked.
        for i in 0..<1_000 { #expect(guarded.check(source: "10.1.\(i / 256).\(i % 256)", userAgent: nil, exempt: false, now: start) == .admit) }
        // Once their windows have passed they are forgotten, and the block is kept.
        #expect(guarded.check(source: "10.9.9.9", userAgent: nil, exempt: false, now: at(3)) == .admit)
        #expect(guarded.check(source: "10.0.0.1", userAgent: nil, exempt: false, now: at(3)) == .blocked)
        #expect(guarded.check(source: "10.9.9.9", userAgent: nil, exempt: false, now: at(3)) == .admit)
        #expect(guarded.check(source: "10.9.9.9", userAgent: nil, exempt: false, now: at(3)) == .nowBlocked(.flood, until: at(303)), "a source tracked after the purge")
    }
}
