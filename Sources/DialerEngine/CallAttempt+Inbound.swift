import Foundation
import Media
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

extension CallAttempt {
    /// Whether this is a call a peer placed (answered by `answer(_:)`): it takes no transfer.
    var isInbound: Bool { plan.answersInbound }

    /// Answers a call a peer placed and runs the plan's flow on it: the offer is answered with
    /// the route's codecs and SRTP policy (RFC 3264 §6, RFC 4568 §7), the 200 goes with this side's SDP, the flow runs
    /// once answered, the call ends with the flow or the far end's BYE. An offer with no
    /// usable audio gets 488 (unless it offers T.38 to a flow that begins with
    /// `receive_fax`: answered on T.38), no RTP port 503. `onAnswered` runs as the 200 leaves.
    public func answer(_ invite: SIPServerTransaction, onAnswered: @escaping @Sendable (String) -> Void = { _ in }) async -> CallRecord {
        let sip = context.sip
        let transport = invite.inbound.transport
        let local = sip.localAddress(kind: transport, toward: invite.inbound.source) ?? (host: "127.0.0.1", port: 5060)
        record.sipCallID = invite.request.headers[.callID]
        guard let theirOffer = try? SDPParser().parse(invite.request.body) else {
            return refuse(invite, status: 488, "the INVITE has no SDP offer")
        }
        let media: CallMedia
        do { media = try await prepareMedia(host: local.host) } catch {
            return refuse(invite, status: 503, "no RTP port: \(error)")
        }
        var session = AudioOffer(address: local.host, port: media.localPort,
                                 preferences: AudioPreferences(codecs: plan.route.codecs, srtp: plan.route.srtpKeys()))
        let answered = Result { () throws(NegotiationError) in try session.answer(theirOffer).audio }
        let negotiated = try? answered.get()
        let signals = self.signals
        let contact = SIPAddress(uri: SIPURI(user: "sipdial", host: local.host, port: local.port,
                                             parameters: transport == .udp ? [] : [SIPParameter("transport", transport.uriParameter)]))
        let call = InboundCall(invite: invite, contact: contact, dispatcher: sip.dispatcher, ownerMediaTypes: plan.flow.faxes ? ["image"] : []) {
            signals.yield(.call($0))
        }
        inbound = call
        if negotiated != nil {
            call.accept(media: session)
        } else if let image = await answerOnT38(theirOffer) {
            call.accept(media: session, ownerSDP: image)
        } else {
            inbound = nil
            _ = try? await media.finish()
            let why = if case .failure(let error) = answered { error.reason } else { "" }
            return refuse(invite, status: 488, "nothing offered fits: \(why)")
        }
        record.startedAt = Date().timeIntervalSince1970
        onAnswered(call.callID)
        return await follow(negotiate: { _ in negotiated }, onEvent: { _ in })
    }

    /// The T.38 answer to an offer of T.38 alone (or beside audio sipdial cannot take) when
    /// the flow begins with `receive_fax` on a transport that allows it (RFC 3362, T.38 Annex
    /// D); its fax waits in `faxAnsweredOnT38` for that verb. Nil for any other call.
    private func answerOnT38(_ offer: SessionDescription) async -> [UInt8]? {
        guard case .receiveFax(let step)? = plan.flow.verbs.first, step.transport != "audio" else { return nil }
        let file = newReceivedFaxPath()
        guard let fax = makeFax(step, role: .receive(into: file)) else { return nil }
        guard let (sdp, stream) = try? fax.answerT38Offer(offer) else {
            _ = await fax.end()
            return nil
        }
        faxAnsweredOnT38 = (fax, stream, file)
        return sdp
    }

    /// The record of an inbound call refused before it was answered.
    private func refuse(_ invite: SIPServerTransaction, status: Int, _ why: String) -> CallRecord {
        invite.respond(status: status)
        context.logger.notice("inbound call refused", metadata: ["status": "\(status)", "reason": "\(why)"])
        var result = CallResult(outcome: .rejected(code: status, reason: why))
        result.sipCode = status
        record.result = result
        record.endedAt = Date().timeIntervalSince1970
        return record
    }
}
