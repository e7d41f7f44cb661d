import Foundation
import Media
import SIPCore
import SIPUserAgent

/// Attended transfer done inside sipdial (it is the B2BUA between the two calls, so no
/// REFER/Replaces is needed and inbound calls can be transferred too): a second call to the
/// target through the same trunk, while the answered call carries on with its flow; when
/// the target answers, the flow stops and the two calls' audio is crossed until either side
/// hangs up, which ends the other. When the target does not answer (busy, no answer,
/// failure), the first call carries on as if nothing happened and its CDR says so.
extension CallAttempt {
    /// The second call of an attended transfer.
    struct Consultation: @unchecked Sendable {
        var target: String
        var call: OutboundCall
        var media: RTPAudioStream
        var offer: AudioOffer
    }

    /// Starts an attended transfer to `destination` (a number through this call's trunk or a
    /// sip: URI), from any thread; returns once the second call is placed. Throws
    /// `CallControlError` when the call is not answered or a transfer is under way.
    public func transferAttended(to destination: String) async throws {
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            if case .terminated = signals.continuation.yield(.command(.attendedTransfer(destination, reply))) {
                reply.resume(throwing: CallControlError.ended)
            }
        }
    }

    /// The command's checks, then the second call placed from a task of its own (it resolves
    /// the target and binds its RTP port on this call's media loop).
    func consult(_ destination: String, reply: CheckedContinuation<Void, Error>) {
        guard record.answeredAt != nil, let media, media.started else { return reply.resume(throwing: CallControlError.notAnswered) }
        guard consultation == nil, !bridged, !consulting else { return reply.resume(throwing: CallControlError.transferUnderWay) }
        consulting = true
        record.answers["transfer_to"] = destination
        let target = (try? SIPURI(parsing: destination)).flatMap { $0.scheme == .sip || $0.scheme == .sips ? $0 : nil }
            ?? plan.route.target(destination)
        let (plan, context, continuation) = (plan, context, signals.continuation)
        Task {
            do {
                let setup = try await CallSetup.resolve(target, route: plan.route, sip: context.sip)
                let stream = try await RTPAudioStream.bind(host: setup.local.host, ports: context.rtpPorts, group: media.stream.channel.eventLoop)
                let config = setup.configuration(mediaPort: stream.localPort ?? 9, callerID: plan.callerID, ringTimeout: plan.ringTimeout)
                let call = OutboundCall(configuration: config, dispatcher: context.sip.dispatcher, resolver: context.sip.resolver) { event in
                    continuation.yield(.consultation(event))
                }
                continuation.yield(.consultationPlaced(Consultation(target: destination, call: call, media: stream, offer: config.offer)))
                call.start()
                reply.resume()
            } catch let failure as CallSetup.Failure {
                continuation.yield(.consultationFailed(failure.reason))
                reply.resume(throwing: CallControlError.media(failure.reason))
            } catch {
                continuation.yield(.consultationFailed("no RTP port: \(error)"))
                reply.resume(throwing: CallControlError.media("no RTP port: \(error)"))
            }
        }
    }

    /// Follows the second call: bridged at its answer, forgotten at its end before that (or
    /// the first call hung up when it ends after).
    func handleConsultation(_ signal: Signal) {
        switch signal {
        case .consultationPlaced(let leg):
            if ended {
                leg.call.hangUp()
                Task { _ = try? await leg.media.stop() }
            } else {
                consultation = leg
                record.answers["transfer_call_id"] = leg.call.callID
            }
        case .consultationFailed(let reason):
            consulting = false
            record.answers["transfer_outcome"] = "unreachable"
            context.logger.notice("attended transfer failed", metadata: ["call_id": "\(call?.callID ?? "")", "reason": "\(reason)"])
            if flowFinished { endCall() }
        case .consultation(.answered(let sdp)):
            guard let leg = consultation, let media else { return }
            guard let negotiated = leg.offer.negotiate(answer: sdp) else {
                leg.call.hangUp()
                return
            }
            do {
                try media.bridge(with: leg.media, negotiated.streamParameters(timeout: plan.rtpTimeout))
                bridged = true
                record.answers["transfer_outcome"] = "answered"
            } catch {
                context.logger.warning("attended transfer: no audio for the second call", metadata: ["error": "\(error)"])
                leg.call.hangUp()
            }
        case .consultation(.mediaChanged(let negotiated)):
            try? consultation?.media.update(negotiated.streamParameters(timeout: plan.rtpTimeout))
        case .consultation(.ended(let result)):
            guard let leg = consultation else { return }
            Task { _ = try? await leg.media.stop() }
            consultation = nil
            consulting = false
            if bridged {
                endCall()
            } else {
                record.answers["transfer_outcome"] = result.outcome.name
                if flowFinished { endCall() }
            }
        default:
            break
        }
    }

    /// The first call is over: the second one, if any, is hung up too.
    func endConsultation() {
        guard let leg = consultation else { return }
        consultation = nil
        leg.call.hangUp()
        Task { _ = try? await leg.media.stop() }
    }
}
