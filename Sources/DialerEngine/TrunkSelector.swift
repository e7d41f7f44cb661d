import DialerStore

/// Chooses the trunk for each call and keeps every trunk inside its limits across all
/// campaigns: at most `max_concurrent` calls up and `max_calls_per_second` started. Trunks
/// are tried by failover order (lowest first); among trunks of one order, calls are shared
/// by weight (smooth weighted round robin, so 3:1 is A A B A, not A A A B). A trunk a call
/// could not reach (no answer to its INVITE, transport error) is passed over while any other
/// has room, until it answers again (a call's response, the monitor's OPTIONS) or `downFor`
/// seconds pass: RFC 3263 §4.3's marking of a server that did not respond, per trunk.
struct TrunkSelector {
    /// Seconds a trunk that could not be reached is passed over unless it answers first.
    var downFor: Double = 300
    private var trunks: [Trunk] = []
    /// Trunks that could not be reached lately, and until when they are passed over.
    private var downUntil: [String: Double] = [:]
    private var active: [String: Int] = [:]
    private var rates: [String: PacingSchedule] = [:]
    /// Smooth weighted round robin: each trunk's running credit.
    private var credit: [String: Int] = [:]

    /// The trunks as configured now (read again each round, so API edits apply at once).
    mutating func update(_ trunks: [Trunk]) {
        self.trunks = trunks
        for trunk in trunks {
            if let cps = trunk.maxCallsPerSecond, cps > 0 {
                if rates[trunk.id]?.interval != 1 / cps { rates[trunk.id] = PacingSchedule(callsPerMinute: cps * 60) }
            } else {
                rates[trunk.id] = nil
            }
        }
    }

    var isEmpty: Bool { trunks.isEmpty }

    /// Whether `trunk` may start a call at `now`.
    private func hasRoom(_ trunk: Trunk, now: Double) -> Bool {
        if let max = trunk.maxConcurrent, active[trunk.id, default: 0] >= max { return false }
        return rates[trunk.id]?.isDue(at: now) ?? true
    }

    /// The trunk for the next call of a campaign (`pinned`: the campaign's own trunk), or
    /// nil when every candidate is at its limit (or the pinned trunk is gone: `missing`).
    /// Does not take the trunk; `take` does once the call is leased.
    func choose(pinned: String?, now: Double) -> Choice {
        if let pinned {
            guard let trunk = trunks.first(where: { $0.id == pinned }) else { return .missing }
            return hasRoom(trunk, now: now) ? .trunk(trunk) : .full
        }
        let orders = Set(trunks.map(\.failoverOrder)).sorted()
        // Trunks that answer first, in every order; a trunk passed over is still better than none.
        for includeDown in [false, true] {
            for order in orders {
                let group = trunks.filter { $0.failoverOrder == order && hasRoom($0, now: now) && (includeDown || !isDown($0, now: now)) }
                guard !group.isEmpty else { continue }
                // The one with the most credit after each gets its weight.
                let best = group.max { credit[$0.id, default: 0] + $0.weight < credit[$1.id, default: 0] + $1.weight }!
                return .trunk(best)
            }
        }
        return .full
    }

    private func isDown(_ trunk: Trunk, now: Double) -> Bool {
        downUntil[trunk.id].map { now < $0 } ?? false
    }

    /// A call on `trunkID` got no answer at all (Timer B, transport error).
    mutating func couldNotReach(_ trunkID: String, now: Double) {
        downUntil[trunkID] = now + downFor
    }

    /// `trunkID` answered something: a call's response or an OPTIONS.
    mutating func answered(_ trunkID: String) {
        downUntil[trunkID] = nil
    }

    enum Choice: Equatable {
        case trunk(Trunk)
        case full
        case missing
    }

    /// A call starts on `trunk`.
    mutating func take(_ trunk: Trunk, now: Double) {
        active[trunk.id, default: 0] += 1
        _ = rates[trunk.id]?.take(at: now)
        let group = trunks.filter { $0.failoverOrder == trunk.failoverOrder }
        let total = group.reduce(0) { $0 + $1.weight }
        for member in group { credit[member.id, default: 0] += member.weight }
        credit[trunk.id, default: 0] -= total
    }

    /// A call on `trunkID` ended.
    mutating func release(_ trunkID: String) {
        active[trunkID, default: 1] -= 1
    }
}
