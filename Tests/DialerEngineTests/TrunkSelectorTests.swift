import DialerStore
import Testing
@testable import DialerEngine

struct TrunkSelectorTests {
    static func trunk(_ id: String, weight: Int = 1, order: Int = 0, maxConcurrent: Int? = nil, cps: Double? = nil) -> Trunk {
        var trunk = Trunk(id: id, name: id, host: "\(id).example.com", now: 0)
        trunk.weight = weight
        trunk.failoverOrder = order
        trunk.maxConcurrent = maxConcurrent
        trunk.maxCallsPerSecond = cps
        return trunk
    }

    /// Picks and takes `count` trunks at `now`, returning their ids.
    static func pick(_ selector: inout TrunkSelector, _ count: Int, now: Double = 0) -> [String] {
        (0..<count).map { _ in
            guard case .trunk(let trunk) = selector.choose(pinned: nil, now: now) else { return "-" }
            selector.take(trunk, now: now)
            return trunk.id
        }
    }

    @Test func weightsShareCallsSmoothly() {
        var selector = TrunkSelector()
        selector.update([Self.trunk("a", weight: 3), Self.trunk("b", weight: 1)])
        let picks = Self.pick(&selector, 8)
        #expect(picks == ["a", "a", "b", "a", "a", "a", "b", "a"])
    }

    @Test func aFullTrunkFailsOverToTheNextOrder() {
        var selector = TrunkSelector()
        selector.update([Self.trunk("primary", order: 0, maxConcurrent: 2), Self.trunk("backup", order: 1, maxConcurrent: 1)])
        #expect(Self.pick(&selector, 4) == ["primary", "primary", "backup", "-"])
        selector.release("primary")
        #expect(Self.pick(&selector, 1) == ["primary"])
    }

    @Test func aTrunkThatCouldNotBeReachedIsPassedOverUntilItAnswers() {
        var selector = TrunkSelector()
        selector.update([Self.trunk("primary", order: 0), Self.trunk("backup", order: 1, maxConcurrent: 1)])
        selector.couldNotReach("primary", now: 100)
        #expect(Self.pick(&selector, 1, now: 101) == ["backup"])
        // Passed over only while another has room: better than no call at all.
        #expect(Self.pick(&selector, 1, now: 101) == ["primary"])
        selector.release("backup")
        selector.release("primary")
        // Back once it answers, or once `downFor` has passed.
        selector.answered("primary")
        #expect(Self.pick(&selector, 1, now: 102) == ["primary"])
        selector.release("primary")
        selector.couldNotReach("primary", now: 200)
        #expect(Self.pick(&selector, 1, now: 200 + selector.downFor - 1) == ["backup"])
        selector.release("backup")
        #expect(Self.pick(&selector, 1, now: 200 + selector.downFor) == ["primary"])
    }

    @Test func callsPerSecondHoldsATrunkBack() {
        var selector = TrunkSelector()
        selector.update([Self.trunk("slow", cps: 2)])
        #expect(Self.pick(&selector, 2, now: 10) == ["slow", "-"])
        #expect(Self.pick(&selector, 1, now: 10.5) == ["slow"])
    }

    @Test func aPinnedTrunkIsUsedOrReportedMissing() {
        var selector = TrunkSelector()
        selector.update([Self.trunk("a", weight: 5), Self.trunk("b", maxConcurrent: 1)])
        #expect(selector.choose(pinned: "b", now: 0) == .trunk(Self.trunk("b", maxConcurrent: 1)))
        selector.take(Self.trunk("b", maxConcurrent: 1), now: 0)
        #expect(selector.choose(pinned: "b", now: 0) == .full)
        #expect(selector.choose(pinned: "zzz", now: 0) == .missing)
    }

    @Test func numbersAreRewrittenForTheTrunk() {
        var trunk = Self.trunk("t")
        trunk.stripPrefix = "+1"
        trunk.addPrefix = "9"
        trunk.port = 5070
        let route = TrunkRoute(trunk)
        #expect(route.dialString("+15550100") == "95550100")
        #expect(route.dialString("0044207") == "90044207")
        #expect(route.target("+15550100").description == "sip:95550100@t.example.com:5070")
        #expect(route.from(callerID: nil).uri.user == "sipdial")
        #expect(route.from(callerID: "+15550199").uri.user == "+15550199")
    }
}
