import Logging
import ServiceLifecycle

/// The pacer as a service of `serve`'s group (after `Dialer.recoverInterruptedAttempts`): it
/// dials until the group shuts down (or is cancelled). Then the graceful stop: no new calls;
/// the calls up (campaign, single, click-to-call, inbound) may finish for `drain` seconds,
/// then every one still up is hung up (BYE, or CANCEL while ringing), once a second for at
/// most `hangUpRounds` seconds so that a leg placed meanwhile (a click-to-call's second) is
/// caught too; their CDRs and webhooks are written. A call that outlives all that keeps its
/// attempt open, closed as `interrupted` at the next start.
struct DialingService: Service {
    let pacer: CampaignPacer
    let inbound: InboundCalls?
    let liveCalls: LiveCalls
    let drain: Double
    let hangUpRounds: Int
    let logger: Logger

    func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            await pacer.run()
        } onCancelOrGracefulShutdown: {
            pacer.stopDialing()
        }
        logger.info("shutting down", metadata: ["calls_up": "\(liveCalls.count)"])
        if await callsEnd(within: drain) { return }
        logger.notice("hanging up the calls still up", metadata: ["count": "\(liveCalls.count)"])
        for _ in 0..<hangUpRounds {
            liveCalls.hangUpAll()
            if await callsEnd(within: 1) { return }
        }
        logger.warning("calls still up after hanging up; the next start closes their attempts", metadata: ["count": "\(liveCalls.count)"])
    }

    /// Whether every call ends (its CDR written) within `seconds`; they go on either way.
    /// Looks every 20 ms; a cancelled group does not wait.
    private func callsEnd(within seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while await pacer.hasCallsUp || inbound?.hasCallsUp == true {
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(20))) != nil else { return false }
        }
        return true
    }
}
