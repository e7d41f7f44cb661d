import DialerStore
import Foundation
import Media
import SIPCore

/// Calls the API places outside campaigns: single calls with a flow, and click-to-call.
/// They go through the same trunk choice and limits as campaign calls, and their attempt is
/// committed before the first INVITE leaves.
extension CampaignPacer {
    /// A call placed on its own (the REST API's originate): through its trunk, or the one
    /// the selector picks (the embedded simulator while none is configured). A request whose
    /// Idempotency-Key was used before gets the earlier attempt back (`created` false) and
    /// dials nothing.
    public func originate(_ request: SingleCall) throws -> (attempt: Attempt, created: Bool) {
        let now = Date().timeIntervalSince1970
        let (route, trunk) = try chooseRoute(trunkID: request.trunkID, now: now)
        let (attempt, created) = try store.beginSingleCall(phone: request.phone, idempotencyKey: request.idempotencyKey, now: now)
        guard created else { return (attempt, false) }
        if let trunk { trunks.take(trunk, now: now) }
        var plan = CallPlan(phone: request.phone, route: route, callerID: request.callerID, flow: request.flow, fields: request.fields)
        plan.ringTimeout = request.ringTimeout
        place(attempt, plan: plan, kind: request.kind, campaignID: nil, statusCallback: request.statusCallback) { _, _ in nil }
        return (attempt, true)
    }

    /// Click-to-call: the agent's leg, then the customer's, bridged (`CallBridge`), both
    /// through one trunk (two of its calls); the CDR is the customer's, with the agent's leg
    /// in its answers.
    public func clickToCall(_ request: ClickToCall) throws -> (attempt: Attempt, created: Bool) {
        let now = Date().timeIntervalSince1970
        let (route, trunk) = try chooseRoute(trunkID: request.trunkID, now: now)
        let (attempt, created) = try store.beginSingleCall(phone: request.customer, idempotencyKey: request.idempotencyKey, now: now)
        guard created else { return (attempt, false) }
        if let trunk {
            trunks.take(trunk, now: now)
            trunks.take(trunk, now: now)
        }
        bridge(attempt, request, route: route)
        return (attempt, true)
    }

    /// Runs a click-to-call whose attempt is written and whose trunk is taken (twice).
    private func bridge(_ attempt: Attempt, _ request: ClickToCall, route: TrunkRoute) {
        let settings = CallBridge.Settings(ringback: .ringbackNorthAmerica, record: request.recording != .off, rtpTimeout: 30, hold: 0,
                                           sampleRate: RTPAudioEncoding(route.codecs.first ?? .pcmu).sampleRate)
        let bridge = CallBridge(settings: settings,
                                dispatcher: context.sip.dispatcher, resolver: context.sip.resolver)
        let (store, context, liveCalls) = (self.store, self.context, self.liveCalls)
        let events = CallEvents(sender: request.statusCallback == nil ? nil : webhooks, url: request.statusCallback ?? "", attempt: attempt, log: eventLog)
        liveCalls.add(bridge, info: LiveCalls.Info(id: attempt.id, kind: "click-to-call", phone: request.customer, callbackId: attempt.callbackId, trunkId: route.trunkID, state: "dialing", startedAt: Date()))
        let agentTarget = (try? SIPURI(parsing: request.agent)) ?? route.target(request.agent)
        calls[attempt.id] = Task {
            var outcome: CallBridge.Outcome?
            var failure: String?
            do {
                let agent = try await CallSetup.resolve(agentTarget, route: route, sip: context.sip)
                outcome = try await bridge.run(host: agent.local.host, ports: context.rtpPorts, group: context.mediaGroup, configure: { index, port in
                    let setup = index == 0 ? agent : try await CallSetup.resolve(route.target(request.customer), route: route, sip: context.sip)
                    return setup.configuration(mediaPort: port, callerID: index == 0 ? request.agentCallerID : request.callerID, ringTimeout: request.ringTimeout)
                }, onCallID: { index, callID in
                    if index == 1 {
                        try? store.attach(sipCallID: callID, to: attempt)
                        liveCalls.setSIPCallID(attempt.id, callID)
                    }
                    events.send(index == 0 ? "initiated" : "ringing", sipCallID: callID)
                }, onEvent: { index, event in
                    if index == 1 { return liveCalls.update(attempt.id, with: event) }
                    switch event {
                    case .progress: liveCalls.setState(attempt.id, "agent-ringing")
                    case .answered: liveCalls.setState(attempt.id, "agent-answered")
                    default: break
                    }
                })
            } catch let error as CallSetup.Failure {
                failure = error.reason
            } catch {
                failure = "\(error)"
            }
            liveCalls.remove(attempt.id)
            let cdr = request.cdr(attempt: attempt, outcome: outcome, failure: failure, recordingDirectory: context.recordingDirectory)
            do { try store.close(attempt, cdr: cdr, retryAt: nil) } catch {
                context.logger.error("CDR not written", metadata: ["attempt": "\(attempt.id)", "error": "\(error)"])
            }
            if cdr.answeredAt != nil { events.send("answered", sipCallID: cdr.sipCallId) }
            events.send("completed", sipCallID: cdr.sipCallId, cdr: cdr)
            self.ended(attempt.id, campaignID: nil, trunkID: route.trunkID, trunkCalls: 2)
        }
    }

    /// Places the callbacks due at `now` while a trunk has room; returns the seconds until
    /// the next one is due (at most `idleInterval`).
    func dialCallbacks(now: Double) throws -> Double {
        while dialing, let due = try store.nextCallbackDue(), due <= now {
            let hasRoom = if trunks.isEmpty { fallbackRoute != nil } else if case .trunk = trunks.choose(pinned: nil, now: now) { true } else { false }
            guard hasRoom else { return idleInterval }
            guard let (callback, attempt) = try store.leaseDueCallback(now: now) else { break }
            let route: (TrunkRoute, Trunk?)
            let flow: CallFlow
            do {
                route = try chooseRoute(trunkID: callback.trunkId, now: now)
                flow = try CallFlow(json: callback.flow)
            } catch {
                let cdr = CDR(attemptId: attempt.id, campaignId: nil, phone: callback.phone, outcome: "rejected",
                              reason: "not placed: \(error)", startedAt: now, endedAt: now)
                // Every trunk busy: try again shortly; anything else will not get better.
                let retry = (error as? SingleCall.Refusal) == .trunksFull ? now + 30 : nil
                try store.close(attempt, cdr: cdr, retryAt: retry)
                continue
            }
            if let trunk = route.1 { trunks.take(trunk, now: now) }
            if let agent = callback.agent {
                if let trunk = route.1 { trunks.take(trunk, now: now) }
                let request = ClickToCall(agent: agent, customer: callback.phone, recording: ClickToCall.Recording(rawValue: callback.recording ?? "off") ?? .off,
                                          callerID: callback.callerId, agentCallerID: callback.callerId, statusCallback: callback.statusCallback)
                bridge(attempt, request, route: route.0)
                continue
            }
            let plan = CallPlan(phone: callback.phone, route: route.0, callerID: callback.callerId, flow: flow, fields: ["phone": callback.phone])
            place(attempt, plan: plan, kind: "callback", campaignID: nil, statusCallback: callback.statusCallback) { _, _ in nil }
        }
        return min(idleInterval, (try store.nextCallbackDue() ?? now + idleInterval) - now)
    }

    /// The trunk for a call outside campaigns: `trunkID`, else the selector's choice, else
    /// the fallback (the embedded simulator) when no trunk exists.
    func chooseRoute(trunkID: String?, now: Double) throws -> (TrunkRoute, Trunk?) {
        guard dialing else { throw SingleCall.Refusal.stopping }
        trunks.update(try store.trunks())
        if trunks.isEmpty, trunkID == nil {
            guard let fallbackRoute else { throw SingleCall.Refusal.noTrunk }
            return (fallbackRoute, nil)
        }
        switch trunks.choose(pinned: trunkID, now: now) {
        case .trunk(let chosen): return (TrunkRoute(chosen), chosen)
        case .full: throw SingleCall.Refusal.trunksFull
        case .missing: throw SingleCall.Refusal.noSuchTrunk
        }
    }
}
