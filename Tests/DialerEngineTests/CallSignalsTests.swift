@testable import DialerEngine
import NIOCore
import NIOEmbedded
import Testing

/// The one queue of a call's signals, on SwiftNIO's embedded loop: timers fire when the
/// loop's time passes them and not before, and the end of the call cancels what is pending.
struct CallSignalsTests {
    @Test func timersFireAtTheirTimeOnTheLoopInOrder() async {
        let loop = EmbeddedEventLoop()
        let signals = CallSignals<String>(eventLoop: loop)
        signals.after(2, "two seconds")
        signals.after(0.5, "half a second")
        signals.yield("now")
        loop.advanceTime(by: .milliseconds(499))
        signals.yield("still before")
        loop.advanceTime(by: .milliseconds(1))
        loop.advanceTime(by: .milliseconds(1500))
        var taken: [String] = []
        for _ in 0..<4 { if let signal = await signals.next() { taken.append(signal) } }
        #expect(taken == ["now", "still before", "half a second", "two seconds"])
    }

    @Test func theEndCancelsPendingTimersAndRefusesNewSignals() async {
        let loop = EmbeddedEventLoop()
        let signals = CallSignals<Int>(eventLoop: loop)
        signals.after(1, 99)
        #expect(signals.yield(1))
        signals.finish()
        #expect(!signals.yield(2), "a command sent after the end is answered by its sender")
        loop.advanceTime(by: .seconds(5))
        #expect(await signals.next() == 1, "what was queued before the end is still taken")
        #expect(await signals.next() == nil, "nothing arrives after the end, the timer included")
    }
}
