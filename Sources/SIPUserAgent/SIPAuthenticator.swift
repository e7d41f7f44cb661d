import SIPCore

/// Answers 401/407 challenges for one request stream (a registration, a call): builds the
/// retried request with credentials and counts nonce uses. When the challenged request
/// already carried credentials for that realm and the challenge is not `stale=true`, the
/// password is wrong: it reports that instead of looping (RFC 3261 §22.2, §22.3, §8.1.3.5).
public struct SIPAuthenticator: Sendable {
    public var username: String
    public var password: String
    private var nonceCounts: [String: UInt32] = [:]

    public enum Outcome: Sendable, Equatable {
        /// Send this request (new CSeq, fresh branch, credentials added).
        case retry(SIPRequest)
        /// Give up: wrong credentials, or no challenge sipdial can answer.
        case failed(String)
    }

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// What to do with `response` (401 or 407) to `request`.
    public mutating func handle(_ response: SIPResponse, to request: SIPRequest, cnonce: String = SIPIdentifiers.tag()) -> Outcome {
        let proxy = response.statusCode == 407
        let values = (try? (proxy ? response.headers.proxyAuthenticate() : response.headers.wwwAuthenticate())) ?? []
        let challenges = values.compactMap(SIPDigest.Challenge.init)
        guard let challenge = challenges.max(by: { $0.algorithm.strength < $1.algorithm.strength }) else {
            return .failed("\(response.statusCode) without a Digest challenge sipdial supports")
        }
        let header: SIPHeaderName = proxy ? .proxyAuthorization : .authorization
        let alreadySent = request.headers.values(header).contains { (try? SIPAuthValue(parsing: $0))?["realm"] == challenge.realm }
        if alreadySent, !challenge.stale {
            return .failed("authentication failed for realm \"\(challenge.realm)\" (\(response.statusCode) again after credentials were sent)")
        }
        let count = (nonceCounts[challenge.nonce] ?? 0) + 1
        nonceCounts[challenge.nonce] = count
        let credentials = SIPDigest.credentials(challenge: challenge, username: username, password: password,
                                                method: request.method, uri: request.uri, cnonce: cnonce, nonceCount: count)
        var retry = request
        // Replace earlier credentials for the same realm; keep those for other realms (§22.3).
        let kept = retry.headers.values(header).filter { value in
            (try? SIPAuthValue(parsing: value))?["realm"] != challenge.realm
        }
        retry.headers.remove(header)
        for v in kept { retry.headers.append(header, v) }
        retry.headers.append(header, credentials.description)
        if let cseq = try? request.headers.cseq() {
            retry.headers.set(.cseq, CSeq(cseq.sequence &+ 1, cseq.method).description)
        }
        if let index = retry.headers.firstIndex(where: { $0.name == .via }), var via = try? Via(parsing: retry.headers[index].value) {
            via.branch = SIPIdentifiers.branch()
            retry.headers.setValue(via.description, at: index)
        }
        return .retry(retry)
    }
}
