import SIPCore

/// A dialog (RFC 3261 §12): the peer-to-peer relationship an INVITE sets up, identified by
/// Call-ID, local tag and remote tag. It holds what every request inside it needs: the CSeq
/// counters, the remote target and the route set. A value type with no I/O; the call session
/// that owns it sends what it builds.
public struct SIPDialog: Sendable, Equatable {
    public struct ID: Sendable, Hashable, CustomStringConvertible {
        public var callID: String
        public var localTag: String
        public var remoteTag: String
        public init(callID: String, localTag: String, remoteTag: String) {
            self.callID = callID
            self.localTag = localTag
            self.remoteTag = remoteTag
        }
        public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
    }

    public enum State: Sendable, Equatable { case early, confirmed }

    public let id: ID
    public private(set) var state: State
    /// From (UAC) or To (UAS) of the dialog-creating request, with the local tag.
    public let local: SIPAddress
    /// The other end's address with its tag.
    public let remote: SIPAddress
    /// The last CSeq number this side used (§12.2.1.1 increments it per request).
    public private(set) var localSequence: UInt32
    /// The highest CSeq number seen from the far end; nil until it sends a request (§12.2.2).
    public private(set) var remoteSequence: UInt32?
    /// Where in-dialog requests go: the far end's Contact, updated by target refreshes (§12.2).
    public private(set) var remoteTarget: SIPURI
    /// Record-Route values in the order requests use them (§12.1.1, §12.1.2).
    public let routeSet: [SIPAddress]

    /// The UAC side of a dialog, from a 1xx (with a To tag) or 2xx to `request` (§12.1.2):
    /// the route set is the Record-Route list reversed; nil when the response cannot make one
    /// (no To tag, or no Contact in a 2xx).
    public init?(request: SIPRequest, response: SIPResponse) {
        guard let from = try? request.headers.from(), let localTag = from.tag,
              let to = try? response.headers.to(), let remoteTag = to.tag,
              let callID = request.headers[.callID],
              let cseq = try? request.headers.cseq() else { return nil }
        let contact = Self.contactURI(response.headers)
        if response.isSuccess, contact == nil { return nil }
        id = ID(callID: callID, localTag: localTag, remoteTag: remoteTag)
        state = response.isSuccess ? .confirmed : .early
        local = from
        remote = to
        localSequence = cseq.sequence
        remoteSequence = nil
        remoteTarget = contact ?? request.uri
        routeSet = ((try? response.headers.recordRoutes()) ?? []).reversed()
    }

    /// The UAS side, from the dialog-creating `request` and the tag this side put in To
    /// (§12.1.1): the route set is the Record-Route list in order.
    public init?(request: SIPRequest, localTag: String, confirmed: Bool) {
        guard let from = try? request.headers.from(), let remoteTag = from.tag,
              var to = try? request.headers.to(),
              let callID = request.headers[.callID],
              let cseq = try? request.headers.cseq(),
              let contact = Self.contactURI(request.headers) else { return nil }
        to.parameters.removeAll { $0.name.lowercased() == "tag" }
        to.parameters.append(SIPParameter("tag", localTag))
        id = ID(callID: callID, localTag: localTag, remoteTag: remoteTag)
        state = confirmed ? .confirmed : .early
        local = to
        remote = from
        localSequence = 0
        remoteSequence = cseq.sequence
        remoteTarget = contact
        routeSet = (try? request.headers.recordRoutes()) ?? []
    }

    /// A 2xx confirms an early dialog and refreshes its target (§12.1.2, §13.2.2.4).
    public mutating func confirm(by response: SIPResponse) {
        state = .confirmed
        refreshTarget(from: response.headers)
    }

    /// Target refresh (§12.2.1.2, §12.2.2): a re-INVITE, UPDATE or its 2xx carrying Contact
    /// moves the remote target.
    public mutating func refreshTarget(from headers: SIPHeaders) {
        if let uri = Self.contactURI(headers) { remoteTarget = uri }
    }

    /// Records a CSeq this side used outside `request(_:)`, such as the retry of a challenged
    /// request (§22.2: a new CSeq).
    public mutating func advanceLocalSequence(to number: UInt32) {
        localSequence = max(localSequence, number)
    }

    /// Checks an in-dialog request's CSeq (§12.2.2): lower than the last one seen is out of
    /// order and must be answered 500. ACK and CANCEL reuse their INVITE's number and pass.
    public mutating func acceptRemoteSequence(of request: SIPRequest) -> Bool {
        guard request.method != .ack, request.method != .cancel,
              let number = try? request.headers.cseq()?.sequence else { return true }
        if let last = remoteSequence, number < last { return false }
        remoteSequence = number
        return true
    }

    /// A request inside the dialog (§12.2.1.1): Request-URI and Route from the remote target
    /// and route set (loose routing when the first route has `lr`, otherwise the strict-router
    /// form), From/To with the tags, Call-ID, the next CSeq (ACK and CANCEL take `sequence`).
    public mutating func request(_ method: SIPMethod, via: Via, contact: SIPAddress? = nil, sequence: UInt32? = nil,
                                 headers extra: [SIPHeaderField] = [], contentType: String? = nil, body: [UInt8] = []) -> SIPRequest {
        let number: UInt32
        if let sequence {
            number = sequence
        } else {
            localSequence &+= 1
            number = localSequence
        }
        var uri = remoteTarget
        var routes = routeSet
        if let first = routes.first, !first.uri.parameters.contains(where: { $0.name.lowercased() == "lr" }) {
            // §12.2.1.1 strict router: it becomes the Request-URI, the remote target the last Route.
            uri = first.uri
            // §19.1.1: parameters not allowed in a Request-URI.
            uri.parameters.removeAll { ["method", "maddr", "ttl", "lr"].contains($0.name.lowercased()) }
            routes.removeFirst()
            routes.append(SIPAddress(uri: remoteTarget))
        }
        var fields = routes.map { SIPHeaderField(.route, $0.description) }
        fields += extra
        return SIPRequestFactory.request(method: method, uri: uri, via: via, from: local, to: remote, callID: id.callID,
                                         cseq: number, contact: contact, headers: fields, contentType: contentType, body: body)
    }

    /// Where the next request goes at the transport level: the first route, or the remote
    /// target when the route set is empty (§12.2.1.1, §8.1.2).
    public var nextHop: SIPURI { routeSet.first?.uri ?? remoteTarget }

    private static func contactURI(_ headers: SIPHeaders) -> SIPURI? {
        if case .addresses(let a)? = (try? headers.contact()) ?? nil { return a.first?.uri }
        return nil
    }
}
