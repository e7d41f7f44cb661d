import Foundation
import Media
import SIPCore
import SIPUserAgent

/// A second call bridged to this one, done inside sipdial (it is the B2BUA between the two
/// calls, so no REFER/Replaces is needed and inbound calls can take it too): the flow's
/// `dial` verb, and attended transfer through the API. The second call goes to the target
/// through this call's trunk; when it answers, the flow stops and the two calls' audio is
/// crossed until either side hangs up, which ends the other. When it does not answer (busy,
/// no answer, failure), this call carries on as it was and its CDR's answers say so
/// (`transfer_to`/`dial_to`, `..._outcome`, `..._call_id`).
extension CallAttempt {
    /// The second call.
    struct Consultation: @unchecked Sendable {
        var call: OutboundCall
        var media: RTPAudioStream
        var offer: AudioOffer
    }

    /// Where the second call is: being set up (target resolved, RTP port bound), or placed.
    enum SecondCall {
        case placing
        case placed(Consultation)
    }

    /// The second call once placed.
    var consultation: Consultation? {
        if case .placed(let leg)? = secondCall { leg } else { nil }
    }

    /// What the second call is for: the prefix of its CDR answers.
    enum SecondCallPurpose: String, Sendable {
        case transfer, dial
    }

    /// Starts an attended transfer to `destination` (a number through this call's trunk or a
    /// sip: URI; the trunk's ring timeout), from any thread; returns once the second call is
    /// placed. Throws `CallControlError` when the call is not answered or a transfer is under way.
    public func transferAttended(to destination: String) async throws {
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            if !signals.yield(.command(.attendedTransfer(destination, reply))) {
                reply.resume(throwing: CallControlError.ended)
            }
        }
    }

    /// The `dial` verb: rings `destination` with ringback to this call; false when the two
    /// calls were bridged (the flow is over) or this call ended, true when the second call
    /// did not answer and the flow goes on.
    func dial(_ destination: String, ringTimeout: Double) async -> Bool {
        guard placeSecondCall(destination, ringTimeout: ringTimeout, purpose: .dial, reply: nil) else { return true }
        media?.play(.ringbackNorthAmerica)
        let over = await wait { if case .secondCallOver = $0 { true } else { false } }
        if over { media?.stopPlaying() }
        return over
    }

    /// Places the second call from a task of its own (it resolves the target and binds its
    /// RTP port on this call's media loop, while this call's signals go on being taken),
    /// which the call awaits before it is over; `reply` hears when it is placed or why not.
    /// False when this call cannot take one now (not answered, another under way).
    @discardableResult
    func placeSecondCall(_ destination: String, ringTimeout: Double, purpose: SecondCallPurpose, reply: CheckedContinuation<Void, Error>?) -> Bool {
        guard record.answeredAt != nil, let media, media.started else {
            reply?.resume(throwing: CallControlError.notAnswered)
            return false
        }
        guard secondCall == nil, !bridged else {
            reply?.resume(throwing: CallControlError.transferUnderWay)
            return false
        }
        secondCall = .placing
        secondCallPurpose = purpose
        note("to", destination)
        let target = target(of: destination)
        let (plan, context, signals) = (plan, context, signals)
        secondCallSetup = Task {
            do {
                let setup = try await CallSetup.resolve(target, route: plan.route, sip: context.sip)
                let stream = try RTPAudioStream.bind(host: setup.local.host, ports: context.rtpPorts, group: media.stream.eventLoop)
                let config = setup.configuration(mediaPort: stream.localPort, callerID: plan.callerID, ringTimeout: ringTimeout)
                let call = OutboundCall(configuration: config, dispatcher: context.sip.dispatcher, resolver: context.sip.resolver) { event in
                    signals.yield(.consultation(event))
                }
                signals.yield(.consultationPlaced(Consultation(call: call, media: stream, offer: config.offer)))
                call.start()
                reply?.resume()
            } catch let failure as CallSetup.Failure {
                signals.yield(.consultationFailed(failure.reason))
                reply?.resume(throwing: CallControlError.media(failure.reason))
            } catch {
                signals.yield(.consultationFailed("no RTP port: \(error)"))
                reply?.resume(throwing: CallControlError.media("no RTP port: \(error)"))
            }
        }
        return true
    }

    /// Follows the second call: bridged at its answer, forgotten at its end before that (or
    /// the first call hung up when it ends after).
    func handleConsultation(_ signal: Signal) async {
        switch signal {
        case .consultationPlaced(let leg):
            secondCall = .placed(leg)
            note("call_id", leg.call.callID)
        case .consultationFailed(let reason):
            secondCall = nil
            note("outcome", "unreachable")
            context.logger.notice("second call failed", metadata: ["call_id": "\(call?.callID ?? "")", "reason": "\(reason)"])
            secondCallOver()
        case .consultation(.answered(let sdp)):
            guard let leg = consultation, let media else { return }
            guard let negotiated = leg.offer.negotiate(answer: sdp) else {
                leg.call.hangUp()
                return
            }
            do {
                try media.bridge(with: leg.media, negotiated.streamParameters(timeout: plan.rtpTimeout))
                bridged = true
                note("outcome", "answered")
            } catch {
                context.logger.warning("attended transfer: no audio for the second call", metadata: ["error": "\(error)"])
                leg.call.hangUp()
            }
        case .consultation(.mediaChanged(let negotiated)):
            try? consultation?.media.update(negotiated.streamParameters(timeout: plan.rtpTimeout))
        case .consultation(.ended(let result)):
            guard let leg = consultation else { return }
            await drop(leg, hangingUp: false)
            secondCall = nil
            if bridged {
                endCall()
            } else {
                note("outcome", result.outcome.name)
                secondCallOver()
            }
        default:
            break
        }
    }

    /// The second call ended without being bridged: a `dial` verb waiting goes on, and a
    /// call whose flow is over (it waited only for the transfer) ends.
    private func secondCallOver() {
        signals.yield(.secondCallOver)
        if flowFinished { endCall() }
    }

    /// The first call is over: the second one, if any, is hung up too.
    func endConsultation() async {
        guard let leg = consultation else { return }
        secondCall = nil
        await drop(leg, hangingUp: true)
    }

    /// Lets the second call go: its RTP stream stopped, the call hung up first if asked.
    func drop(_ leg: Consultation, hangingUp: Bool) async {
        if hangingUp { leg.call.hangUp() }
        _ = try? await leg.media.stop()
    }

    /// One of the second call's CDR answers, named after its purpose (`transfer_to`, `dial_outcome` …).
    private func note(_ field: String, _ value: String) {
        record.answers["\(secondCallPurpose.rawValue)_\(field)"] = value
    }
}
