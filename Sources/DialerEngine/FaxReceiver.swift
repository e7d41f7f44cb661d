import Fax
import Foundation
import Media
import NIOCore
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// Answers calls as a fax machine (`sipdial fax receive`): each INVITE from an allowed peer
/// is answered with G.711 audio and a `FaxCall` receiving into `<directory>/<Call-ID>.tif`,
/// moving to T.38 as the mode says (`auto`: when the caller's fax tones are heard); an
/// INVITE that offers T.38 without usable audio is answered on T.38 at once (unless the
/// mode is `audio`: 488). A call
/// ends with the caller's BYE after its fax, or 5 s after the result with this side's own.
/// `onFax` gets each call's Call-ID, file and result (nil without one) once the call ended.
public final class FaxReceiver: Sendable {
    public struct Settings: Sendable {
        public var directory: URL
        public var fax: FaxSettings
        public var mode: FaxSwitch.Mode
        public var ports: RTPPortAllocator
        public var rtpTimeout: Double = 30

        public init(directory: URL, fax: FaxSettings, mode: FaxSwitch.Mode, ports: RTPPortAllocator) {
            (self.directory, self.fax, self.mode, self.ports) = (directory, fax, mode, ports)
        }
    }

    private let endpoint: DialerSIPEndpoint
    private let settings: Settings
    private let group: EventLoopGroup
    private let onFax: @Sendable (String, String, FaxResult?) -> Void

    public init(endpoint: DialerSIPEndpoint, settings: Settings, group: EventLoopGroup,
                onFax: @escaping @Sendable (_ callID: String, _ file: String, FaxResult?) -> Void) {
        (self.endpoint, self.settings, self.group, self.onFax) = (endpoint, settings, group, onFax)
        endpoint.answerInbound { [self] invite in Task { await self.answer(invite) } }
    }

    private enum Step {
        case call(CallEvent)
        case fax(FaxCall.Report)
        case giveUp
    }

    private func answer(_ invite: SIPServerTransaction) async {
        let source = invite.inbound.source
        let local = endpoint.localAddress(kind: invite.inbound.transport, toward: source) ?? (host: "127.0.0.1", port: 5060)
        guard let offer = try? SDPParser().parse(invite.request.body) else { return invite.respond(status: 488) }
        guard let media = try? CallMedia.prepare(playback: nil, repeatCount: 1, record: nil, recordBoth: false, rtpTimeout: settings.rtpTimeout,
                                                 dtmfMode: .rfc4733, rtpPorts: settings.ports, host: local.host, group: group) else {
            return invite.respond(status: 503)
        }
        // A fax modem does not survive Opus: G.711 only.
        var session = AudioOffer(address: local.host, port: media.localPort, preferences: AudioPreferences(codecs: [.pcmu, .pcma]))
        let negotiated = try? session.answer(offer).audio
        let callID = invite.request.headers[.callID] ?? UUID().uuidString
        let file = settings.directory.appendingPathComponent(FileName.safe(callID) + ".tif").path
        let steps = AsyncStream<Step>.makeStream()
        let transport = invite.inbound.transport
        let contact = SIPAddress(uri: SIPURI(user: "fax", host: local.host, port: local.port,
                                             parameters: transport == .udp ? [] : [SIPParameter("transport", transport.uriParameter)]))
        let call = InboundCall(invite: invite, contact: contact, dispatcher: endpoint.dispatcher, ownerMediaTypes: ["image"]) {
            steps.continuation.yield(.call($0))
        }
        let setup = FaxCall.Setup(calling: false, role: .receive(into: file), settings: settings.fax, mode: settings.mode,
                                  host: local.host, ports: settings.ports)
        let fax = FaxCall(setup, media: media, offers: call.offers, group: group, report: { steps.continuation.yield(.fax($0)) },
                          onTimeout: { call.hangUp() })
        if let negotiated {
            call.accept(media: session)
            do { try fax.answered(negotiated) } catch { call.hangUp() }
        } else if let (answer, stream) = try? fax.answerT38Offer(offer) {
            call.accept(media: session, ownerSDP: answer)
            do { try fax.answered(onT38: stream) } catch { call.hangUp() }
        } else {
            _ = await fax.end()
            return invite.respond(status: 488)
        }
        var grace: Task<Void, Never>?
        for await step in steps.stream {
            switch step {
            case .call(.ended):
                grace?.cancel()
                onFax(call.callID, file, await fax.end())
                return
            case .call(let event):
                do { try fax.handle(event) } catch { call.hangUp() }
            case .fax(let report):
                guard (try? fax.handle(report)) != nil, grace == nil else { continue }
                // The sender hangs up after its last page; a far end that does not gets 5 s.
                grace = Task {
                    try? await Task.sleep(for: .seconds(5))
                    if !Task.isCancelled { steps.continuation.yield(.giveUp) }
                }
            case .giveUp:
                call.hangUp()
            }
        }
    }
}
