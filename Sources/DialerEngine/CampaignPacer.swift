import DialerStore
import Foundation
import Logging
import Synchronization

/// Dials the running campaigns (issue #5 item 3): each at its calls per minute and under its
/// maximum of concurrent calls, inside its calling window, through trunks kept within their
/// own limits across campaigns; do-not-call numbers are closed as `dnd` without a packet
/// sent; each ended call's CDR and retry are written in one transaction with its attempt.
///
/// Crash safety rests on the store: the attempt row is committed (`leaseNextCall`) before
/// the call is placed, and on start `recoverInterruptedAttempts` closes what a crash cut.
public actor CampaignPacer {
    let store: DialerStore
    let context: CallContext
    /// The route used when no trunk is configured (the embedded simulator), if any.
    let fallbackRoute: TrunkRoute?
    let logger: Logger
    /// The calls up now; the API lists and commands them.
    public nonisolated let liveCalls: LiveCalls
    /// Where call events go when a campaign or call has a status callback.
    let webhooks: WebhookSender?
    /// Where every call's events go (`GET /v1/events`).
    let eventLog: CallEventLog?
    /// How often the pacer looks at the campaigns when no call is due sooner.
    let idleInterval: Double

    private var schedules: [String: PacingSchedule] = [:]
    private var active: [String: Int] = [:]
    var trunks = TrunkSelector()
    var calls: [String: Task<Void, Never>] = [:]
    /// Each campaign's settings as the pacer uses them, read once per edit of the campaign.
    private var plans: [String: (updatedAt: Double, plan: DialingPlan?)] = [:]
    /// Set by `stopDialing`, from any thread.
    private let stopped = Atomic(false)
    var dialing: Bool { !stopped.load(ordering: .relaxed) }
    /// Wakes the loop early (a call ended, dialing stopped).
    let alarm = Alarm()

    public init(store: DialerStore, context: CallContext, liveCalls: LiveCalls, webhooks: WebhookSender? = nil, eventLog: CallEventLog? = nil,
                fallbackRoute: TrunkRoute?, idleInterval: Double = 0.2) {
        self.store = store
        self.liveCalls = liveCalls
        self.webhooks = webhooks
        self.eventLog = eventLog
        self.context = context
        self.fallbackRoute = fallbackRoute
        self.logger = context.logger
        self.idleInterval = idleInterval
    }

    /// Closes the attempts a crash left open: each gets an `interrupted` CDR and its number
    /// is retried per its campaign's retry policy. Call before `run`.
    public func recoverInterruptedAttempts() throws -> Int {
        let now = Date().timeIntervalSince1970
        let closed = try store.closeInterruptedAttempts(now: now) { campaign, attempt in
            let policy = (try? RetryPolicy(json: campaign.retryPolicy)) ?? RetryPolicy()
            return policy.retryAt(after: .interrupted, attempt: attempt.number, maxAttempts: campaign.maxAttempts, now: now)
        }
        if !closed.isEmpty { logger.warning("closed attempts a stop interrupted", metadata: ["count": "\(closed.count)"]) }
        return closed.count
    }

    /// Dials until `stopDialing`; the calls up then go on (`hasCallsUp`).
    public func run() async {
        while dialing {
            let now = Date().timeIntervalSince1970
            var wait = idleInterval
            do {
                wait = min(wait, try round(now: now))
            } catch {
                logger.error("pacer round failed", metadata: ["error": "\(error)"])
            }
            await alarm.sleep(max(wait, Self.minimumWait))
        }
    }

    /// Stops starting calls, from any thread; `run` returns.
    public nonisolated func stopDialing() {
        stopped.store(true, ordering: .relaxed)
        alarm.ring()
    }

    /// Whether a call the pacer placed is still up or its CDR not yet written.
    public var hasCallsUp: Bool { !calls.isEmpty }

    /// One look at every running campaign and the callbacks; returns the seconds until a
    /// call may be due.
    private func round(now: Double) throws -> Double {
        trunks.update(try store.trunks())
        var wait = idleInterval
        for campaign in try store.runningCampaigns() {
            wait = min(wait, try dial(campaign, now: now))
        }
        return min(wait, try dialCallbacks(now: now))
    }

    /// Starts the calls of `campaign` that are due now; returns the seconds until its next slot.
    private func dial(_ campaign: Campaign, now: Double) throws -> Double {
        guard let plan = plan(of: campaign) else { return idleInterval }
        let window = plan.window
        if window.hasEnded(at: now) {
            if try store.completeCampaign(id: campaign.id, force: true, now: now) { logger.info("campaign ended", metadata: ["campaign": "\(campaign.id)"]) }
            return idleInterval
        }
        if !campaign.useContactTimeZone, !window.isOpen(at: now) { return idleInterval }
        var schedule = schedules[campaign.id] ?? PacingSchedule(callsPerMinute: campaign.callsPerMinute)
        if schedule.interval != 60 / campaign.callsPerMinute { schedule.change(callsPerMinute: campaign.callsPerMinute) }
        defer { schedules[campaign.id] = schedule }
        var skipped = 0
        while active[campaign.id, default: 0] < campaign.maxConcurrent, schedule.isDue(at: now), skipped < 500 {
            let route: TrunkRoute
            var trunk: Trunk?
            if trunks.isEmpty {
                guard let fallbackRoute else { return idleInterval }
                route = fallbackRoute
            } else {
                switch trunks.choose(pinned: campaign.trunkId, now: now) {
                case .trunk(let chosen): trunk = chosen; route = TrunkRoute(chosen)
                case .full: return idleInterval
                case .missing:
                    logger.error("campaign's trunk is gone", metadata: ["campaign": "\(campaign.id)"])
                    return idleInterval
                }
            }
            let contactWindow: ((String?) -> Bool)? = campaign.useContactTimeZone
                ? { zone in window.isOpen(at: now, contactZone: zone.flatMap(TimeZone.init(identifier:))) } : nil
            guard let attempt = try store.leaseNextCall(campaignID: campaign.id, now: now, mayCall: contactWindow) else {
                if active[campaign.id, default: 0] == 0, try store.completeCampaign(id: campaign.id, force: false, now: now) {
                    logger.info("campaign completed", metadata: ["campaign": "\(campaign.id)"])
                }
                return idleInterval
            }
            if try store.isDoNotCall(attempt.phone, listIDs: campaign.doNotCallListIDs) {
                try store.close(attempt, cdr: CDR(attemptId: attempt.id, campaignId: campaign.id, phone: attempt.phone, outcome: "dnd",
                                                  reason: "on a do-not-call list", startedAt: now, endedAt: now), retryAt: nil)
                skipped += 1
                continue
            }
            _ = schedule.take(at: now)
            if let trunk { trunks.take(trunk, now: now) }
            start(attempt, campaign: campaign, plan: plan, route: route)
        }
        // Lines full: the loop wakes when a call ends. Otherwise: at the next slot.
        if active[campaign.id, default: 0] >= campaign.maxConcurrent { return idleInterval }
        return (schedule.nextSlot ?? now) - now
    }

    /// The shortest sleep between rounds, so the loop always lets the calls' tasks run.
    static let minimumWait = 0.001

    /// What the pacer reads from a campaign's stored settings: parsed once per edit of the
    /// campaign, not per call or per round.
    struct DialingPlan {
        var window: CallingWindow
        var flow: CallFlow
        var retry: RetryPolicy
    }

    /// The campaign's plan; nil (logged once per edit) when a setting cannot be read.
    private func plan(of campaign: Campaign) -> DialingPlan? {
        if let cached = plans[campaign.id], cached.updatedAt == campaign.updatedAt { return cached.plan }
        var plan: DialingPlan?
        do {
            plan = DialingPlan(
                window: try CallingWindow(startsAt: campaign.startsAt, endsAt: campaign.endsAt, timeZone: campaign.timeZone,
                                          dailyStart: campaign.dailyStart, dailyEnd: campaign.dailyEnd, weekdays: campaign.weekdays),
                flow: try Self.flow(of: campaign), retry: try RetryPolicy(json: campaign.retryPolicy))
        } catch {
            logger.error("campaign settings unreadable", metadata: ["campaign": "\(campaign.id)", "error": "\(error)"])
        }
        plans[campaign.id] = (campaign.updatedAt, plan)
        return plan
    }

    /// The campaign's flow, with answering-machine detection in front when it has it.
    private static func flow(of campaign: Campaign) throws -> CallFlow {
        let flow = try CallFlow(json: campaign.flow)
        guard let amd = campaign.amd else { return flow }
        return try CampaignAMD(json: amd).flow(around: flow)
    }

    private func start(_ attempt: Attempt, campaign: Campaign, plan: DialingPlan, route: TrunkRoute) {
        let store = self.store
        let fields = (try? attempt.campaignCallId.flatMap { try store.campaignCall(id: $0)?.contactId }.flatMap { try store.contact(id: $0) })??.placeholderValues
        var call = CallPlan(phone: attempt.phone, route: route, callerID: campaign.callerId, flow: plan.flow, fields: fields ?? ["phone": attempt.phone])
        call.ringTimeout = campaign.ringTimeout
        let policy = plan.retry
        active[campaign.id, default: 0] += 1
        place(attempt, plan: call, campaignID: campaign.id, statusCallback: campaign.statusCallback) { disposition, endedAt in
            policy.retryAt(after: disposition, attempt: attempt.number, maxAttempts: campaign.maxAttempts, now: endedAt)
        }
    }

    /// Places the call of `attempt` (already committed) and, when it ends, writes its CDR
    /// and the retry `retryAt` gives, in one transaction. With a `statusCallback`, the call's
    /// events go there: initiated (the INVITE leaves), ringing, answered, amd (the answering-
    /// machine detector's verdict) and amd_revised, fax (T.30's result), completed (the CDR).
    func place(_ attempt: Attempt, plan: CallPlan, kind: String = "campaign", campaignID: String?, statusCallback: String?,
                       retryAt: @escaping @Sendable (CallDisposition, Double) -> Double?) {
        let store = self.store
        let context = self.context
        let live = CallAttempt(plan: plan, context: context)
        let liveCalls = self.liveCalls
        let trunkID = plan.route.trunkID
        let events = CallEvents(sender: statusCallback == nil ? nil : webhooks, url: statusCallback ?? "", attempt: attempt, log: eventLog)
        liveCalls.add(live, info: LiveCalls.Info(id: attempt.id, kind: kind, phone: attempt.phone, campaignId: campaignID, callbackId: attempt.callbackId, trunkId: trunkID,
                                                 state: "dialing", startedAt: Date()))
        live.onVerdict = { result, revised in
            liveCalls.setVerdict(attempt.id, result.verdict.rawValue)
            events.send(revised ? "amd_revised" : "amd", amd: result)
        }
        live.onFax = { events.send("fax", fax: $0) }
        calls[attempt.id] = Task {
            let record = await live.run(onCallID: { callID in
                try store.attach(sipCallID: callID, to: attempt)
                liveCalls.setSIPCallID(attempt.id, callID)
                events.send("initiated", sipCallID: callID)
            }, onEvent: { event in
                liveCalls.update(attempt.id, with: event)
                events.follow(event)
            })
            liveCalls.remove(attempt.id)
            let cdr = record.cdr(attemptID: attempt.id, campaignID: campaignID, phone: attempt.phone, trunkID: trunkID)
            let disposition = CallDisposition(rawValue: cdr.disposition) ?? .failed
            do { try store.close(attempt, cdr: cdr, retryAt: retryAt(disposition, cdr.endedAt)) } catch {
                context.logger.error("CDR not written", metadata: ["attempt": "\(attempt.id)", "error": "\(error)"])
            }
            events.send("completed", sipCallID: cdr.sipCallId, cdr: cdr)
            // The progress query counts the campaign's whole queue: only for someone watching.
            if let eventLog = self.eventLog, eventLog.subscriberCount > 0, let campaignID, let progress = try? store.campaignProgress(id: campaignID) {
                eventLog.publishProgress(campaignID: campaignID, progress: progress)
            }
            self.ended(attempt.id, campaignID: campaignID, trunkID: trunkID, reached: disposition != .channelUnavailable)
        }
    }

    /// The trunk answered an OPTIONS (`TrunkMonitor`): it is no longer passed over.
    public func trunkAnswered(_ trunkID: String) {
        trunks.answered(trunkID)
    }

    /// A call ended: its campaign's and trunk's places are free (`trunkCalls` of them on the
    /// trunk: two for a click-to-call), and the loop looks at once. `reached`: whether the
    /// trunk answered it at all (a trunk that did not is passed over for a while).
    func ended(_ attemptID: String, campaignID: String?, trunkID: String?, trunkCalls: Int = 1, reached: Bool? = nil) {
        calls[attemptID] = nil
        if let campaignID { active[campaignID, default: 1] -= 1 }
        if let trunkID {
            for _ in 0..<trunkCalls { trunks.release(trunkID) }
            switch reached {
            case true?: trunks.answered(trunkID)
            case false?: trunks.couldNotReach(trunkID, now: Date().timeIntervalSince1970)
            case nil: break
            }
        }
        alarm.ring()
    }
}
