import NIOCore
@testable import SIPTransport
import Testing

struct LogRateLimiterTests {
    @Test func onePerIntervalWithTheCountHeldBack() {
        var limiter = LogRateLimiter(interval: .seconds(10))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(limiter.admit(now: start) == 0)
        #expect(limiter.admit(now: start + .seconds(1)) == nil)
        #expect(limiter.admit(now: start + .seconds(9)) == nil)
        #expect(limiter.admit(now: start + .seconds(10)) == 2)
        #expect(limiter.admit(now: start + .seconds(11)) == nil)
        #expect(limiter.admit(now: start + .seconds(30)) == 1)
        #expect(limiter.admit(now: start + .seconds(41)) == 0)
    }
}
