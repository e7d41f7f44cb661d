import SDP
import SIPCore
@testable import SIPUserAgent
import Testing

/// An `InviteSession` on a manual clock, with the far end's messages built by hand: inputs
/// in, actions out, timers kept by deadline and fired by `advance`. No sockets.
struct InviteSessionHarness {
    var session: InviteSession
    var now: Duration = .seconds(100)
    /// Armed timers and when they fire, as the actions said.
    var deadlines: [InviteSession.Timer: Duration] = [:]
    /// Every action so far, in order.
    var log: [InviteSession.Action] = []
    /// The far end's tag and CSeq for requests it sends in the dialog.
    let remoteTag = "far"
    var remoteSequence: UInt32 = 100

    static let via = Via(transport: "UDP", host: "192.0.2.10", port: 5060, parameters: [SIPParameter("rport")])
    static let contact = SIPAddress(uri: SIPURI(user: "sipdial", host: "192.0.2.10", port: 5060))
    static let farContact = SIPAddress(uri: SIPURI(user: "bob", host: "192.0.2.20", port: 5070))
    static let capabilities = [SIPHeaderField(.allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, REFER, NOTIFY, PRACK")]

    /// A call sipdial places to bob.
    static func uac(ringTimeout: Duration = .seconds(30), sessionExpires: UInt32? = 1800, followsTransfers: Bool = false,
                    credentials: Bool = false) -> InviteSessionHarness {
        let outgoing = InviteSession.Outgoing(target: SIPURI(user: "bob", host: "192.0.2.20"),
                                              from: SIPAddress(uri: SIPURI(user: "alice", host: "192.0.2.10")),
                                              ringTimeout: ringTimeout, sessionExpires: sessionExpires)
        var config = InviteSession.Configuration(role: .uac(outgoing), via: via, contact: contact,
                                                 media: AudioOffer(address: "192.0.2.10", port: 4000, sessionID: 7),
                                                 capabilities: capabilities, followsTransfers: followsTransfers)
        if credentials {
            config.username = "alice"
            config.password = "secret"
        }
        return InviteSessionHarness(session: InviteSession(configuration: config, callID: "call-1", localTag: "near", random: { 0.5 }))
    }

    /// A call bob places to sipdial, with its INVITE.
    static func uas() -> (InviteSessionHarness, SIPRequest) {
        let invite = SIPRequestFactory.request(method: .invite, uri: SIPURI(user: "1000", host: "192.0.2.10"),
                                               via: Via(transport: "UDP", host: "192.0.2.20", port: 5070, parameters: [SIPParameter("branch", "z9hG4bK-in")]),
                                               from: SIPAddress(uri: SIPURI(user: "bob", host: "192.0.2.20"), parameters: [SIPParameter("tag", "far")]),
                                               to: SIPAddress(uri: SIPURI(user: "1000", host: "192.0.2.10")), callID: "call-in", cseq: 1,
                                               contact: farContact, contentType: "application/sdp", body: farOffer().body)
        let config = InviteSession.Configuration(role: .uas(request: invite, localTag: "near"), via: via, contact: contact,
                                                 media: nil, capabilities: capabilities)
        return (InviteSessionHarness(session: InviteSession(configuration: config, random: { 0.5 })), invite)
    }

    /// The far end's audio offer (PCMU, PCMA, telephone-event).
    static func farOffer(port: Int = 6000) -> AudioOffer {
        AudioOffer(address: "192.0.2.20", port: port, sessionID: 9)
    }

    /// A T.38 fax description (RFC 3362: m=image udptl t38) of `address`:`port`.
    static func image(address: String, port: Int, user: String) -> [UInt8] {
        Array("v=0\r\no=\(user) 9 10 IN IP4 \(address)\r\ns=-\r\nc=IN IP4 \(address)\r\nt=0 0\r\n".utf8)
            + Array("m=image \(port) udptl t38\r\na=T38FaxVersion:0\r\na=T38FaxRateManagement:transferredTCF\r\n".utf8)
    }

    /// The far end's fax offer.
    static let imageOffer = image(address: "192.0.2.20", port: 6002, user: "bob")

    // MARK: Feeding

    @discardableResult
    mutating func feed(_ input: InviteSession.Input) -> [InviteSession.Action] {
        let actions = session.handle(input, at: now)
        for action in actions {
            switch action {
            case .startTimer(let timer, let delay): deadlines[timer] = now + delay
            case .cancelTimer(let timer): deadlines[timer] = nil
            default: break
            }
        }
        log += actions
        return actions
    }

    /// Moves the clock by `delay`, firing the timers that fall due on the way, in order.
    @discardableResult
    mutating func advance(by delay: Duration) -> [InviteSession.Action] {
        let end = now + delay
        var out: [InviteSession.Action] = []
        while let (timer, due) = deadlines.filter({ $0.value <= end }).min(by: { $0.value < $1.value }) {
            now = due
            deadlines[timer] = nil
            out += feed(.timerFired(timer))
        }
        now = end
        return out
    }

    // MARK: The UAC's INVITE

    /// Starts the call; returns the INVITE.
    mutating func start() throws -> SIPRequest {
        let invite = try #require(feed(.start).compactMap(\.invite).first)
        feed(.inviteSent(invite))
        return invite
    }

    /// The far end's response to `request`, with its tag (`tag`) and Contact.
    func response(_ status: Int, to request: SIPRequest, tag: String? = nil, headers: [SIPHeaderField] = [], body: [UInt8] = []) -> SIPResponse {
        var extra = headers
        if status < 300 { extra.insert(SIPHeaderField(.contact, Self.farContact.description), at: 0) }
        if !body.isEmpty { extra.append(SIPHeaderField(.contentType, "application/sdp")) }
        return SIPResponseFactory.response(to: request, status: status, toTag: status == 100 ? nil : (tag ?? remoteTag), headers: extra, body: body)
    }

    /// Places the call and has bob answer it; returns the INVITE.
    mutating func answered(headers: [SIPHeaderField] = []) throws -> SIPRequest {
        let invite = try start()
        feed(.inviteResponse(response(180, to: invite)))
        feed(.inviteResponse(response(200, to: invite, headers: headers, body: Self.farOffer().body)))
        return invite
    }

    // MARK: The far end's requests in the dialog

    /// A request bob sends in the dialog: his tag in From, sipdial's in To, the next CSeq.
    mutating func farRequest(_ method: SIPMethod, fromTag: String? = nil, sequence: UInt32? = nil, headers: [SIPHeaderField] = [],
                             contentType: String = "application/sdp", body: [UInt8] = []) -> SIPRequest {
        remoteSequence += 1
        let callID = session.callID
        let near = SIPAddress(uri: SIPURI(user: "alice", host: "192.0.2.10"), parameters: [SIPParameter("tag", session.localTag)])
        let far = SIPAddress(uri: SIPURI(user: "bob", host: "192.0.2.20"), parameters: [SIPParameter("tag", fromTag ?? remoteTag)])
        return SIPRequestFactory.request(method: method, uri: Self.contact.uri,
                                         via: Via(transport: "UDP", host: "192.0.2.20", port: 5070,
                                                  parameters: [SIPParameter("branch", "z9hG4bK-\(method.rawValue)-\(remoteSequence)")]),
                                         from: far, to: near, callID: callID, cseq: sequence ?? remoteSequence,
                                         contact: Self.farContact, headers: headers, contentType: contentType, body: body)
    }
}

extension InviteSession.Action {
    var invite: SIPRequest? { if case .sendInvite(let r) = self { r } else { nil } }
    var sent: SIPRequest? { if case .send(let r, _, _) = self { r } else { nil } }
    var ack: SIPRequest? { if case .sendAck(let r, _) = self { r } else { nil } }
    var cancel: SIPRequest? { if case .sendCancel(let r) = self { r } else { nil } }
    var response: SIPResponse? {
        switch self {
        case .respond(let r), .respondUntilAcknowledged(let r): r
        default: nil
        }
    }
    var event: CallEvent? { if case .report(let e) = self { e } else { nil } }
}

extension [InviteSession.Action] {
    var requests: [SIPRequest] { compactMap(\.sent) }
    var responses: [SIPResponse] { compactMap(\.response) }
    var events: [CallEvent] { compactMap(\.event) }
    /// The result the `.ended` event carries, if one was reported.
    var ended: CallResult? {
        for case .ended(let r) in events { return r }
        return nil
    }
}

extension SIPRequest {
    var sequence: UInt32? { (try? headers.cseq())??.sequence }
    var toTag: String? { (try? headers.to())??.tag }
    var fromTag: String? { (try? headers.from())??.tag }
}

extension SIPResponse {
    var sequence: UInt32? { (try? headers.cseq())??.sequence }
    var toTag: String? { (try? headers.to())??.tag }
}
