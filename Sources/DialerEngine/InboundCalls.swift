import DialerStore
import Foundation
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent
import Synchronization

/// Answers the calls allowed peers and configured trunks place to sipdial with one flow
/// (`serve --inbound-flow`). Each call is a live call (kind `inbound`, the caller's number)
/// and gets a CDR without attempt or campaign: written `interrupted` as the call is answered
/// and replaced when it ends, so a crash in between still leaves its record.
final class InboundCalls: Sendable {
    let store: DialerStore
    let context: CallContext
    let liveCalls: LiveCalls
    let flow: CallFlow
    /// SRTP for the calls answered, and whether its keys may go over udp or tcp.
    let srtp: SRTPPolicy
    let srtpPlainSignaling: Bool
    /// Where each call's events go (`/v1/events`): answered, completed.
    let eventLog: CallEventLog?
    /// The calls running now, each until its final CDR is written.
    private let running = Mutex<[String: Task<Void, Never>]>([:])

    init(store: DialerStore, context: CallContext, liveCalls: LiveCalls, flow: CallFlow, srtp: SRTPPolicy, srtpPlainSignaling: Bool,
         eventLog: CallEventLog?) {
        (self.store, self.context, self.liveCalls, self.flow) = (store, context, liveCalls, flow)
        (self.srtp, self.srtpPlainSignaling, self.eventLog) = (srtp, srtpPlainSignaling, eventLog)
    }

    /// Whether an inbound call is still up or its final CDR not yet written.
    var hasCallsUp: Bool { running.withLock { !$0.isEmpty } }

    func answer(_ invite: SIPServerTransaction) {
        let caller = (try? invite.request.headers.from())??.uri.user ?? "anonymous"
        let source = invite.inbound.source
        var route = TrunkRoute(host: source.ipAddress ?? "127.0.0.1", port: source.port, transport: invite.inbound.transport)
        (route.srtp, route.srtpPlainSignaling) = (srtp, srtpPlainSignaling)
        var plan = CallPlan(phone: caller, route: route, flow: flow, fields: ["phone": caller])
        plan.answersInbound = true
        let attempt = CallAttempt(plan: plan, context: context)
        let id = UUID().uuidString.lowercased()
        let (store, liveCalls, logger) = (store, self.liveCalls, context.logger)
        let events = CallEvents(sender: nil, url: "", callID: id, campaignID: nil, phone: caller, log: eventLog)
        @Sendable func save(_ cdr: CDR) {
            do { try store.save(cdr) } catch { logger.error("inbound CDR not written", metadata: ["error": "\(error)"]) }
        }
        liveCalls.add(attempt, info: LiveCalls.Info(id: id, kind: "inbound", phone: caller, state: "answered", startedAt: Date()))
        // Made under the lock, so the task cannot remove itself before it is listed.
        running.withLock { $0[id] = Task { [self] in
            let record = await attempt.answer(invite) { callID in
                let now = Date().timeIntervalSince1970
                var cdr = CDR(id: id, attemptId: nil, campaignId: nil, phone: caller, outcome: "interrupted",
                              reason: "sipdial stopped during the call", startedAt: now, answeredAt: now, endedAt: now)
                cdr.sipCallId = callID
                save(cdr)
                liveCalls.setSIPCallID(id, callID)
                events.send("answered", sipCallID: callID)
            }
            liveCalls.remove(id)
            var cdr = record.cdr(attemptID: nil, campaignID: nil, phone: caller, trunkID: nil)
            cdr.id = id
            save(cdr)
            events.send("completed", sipCallID: cdr.sipCallId, cdr: cdr)
            _ = self.running.withLock { $0.removeValue(forKey: id) }
        } }
    }
}
