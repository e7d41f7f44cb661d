import NIOCore
import SIPCore
import SIPUserAgent

/// The registrar of a simulated trunk that requires digest registration (RFC 3261 §10.3):
/// REGISTER must prove an account's password (401 challenges, `SIPDigestVerifier`), its To
/// user must be that account, and each Contact is bound for the expiry asked (Contact
/// `expires`, else Expires, else 3600 s), at least `minimumExpires` (else 423 with
/// Min-Expires, §10.3 step 7) and at most `maximumExpires`; expiry 0 or `Contact: *` with
/// `Expires: 0` removes bindings. The 200 lists the account's bindings with the seconds left.
///
/// A call is let in when it comes from the address (IP and port) a live binding was
/// registered from: a trunk identifies its customer by where the registration came from.
/// Used on its UAS's event loop only.
public final class SimulatedRegistrar {
    private let verifier: SIPDigestVerifier
    private let passwords: [String: String]
    public var minimumExpires: UInt32 = 5
    public var maximumExpires: UInt32 = 3600
    /// Unix seconds now; a test may fix it.
    private let now: () -> Double

    private struct Binding {
        var contact: SIPURI
        var source: SocketAddress
        var expiresAt: Double
    }
    /// Live bindings by account.
    private var bindings: [String: [Binding]] = [:]

    /// What happened so far, for the simulator's summary.
    public struct Counts: Sendable, Equatable, Codable {
        public var registered = 0
        public var unregistered = 0
        /// REGISTERs whose credentials were wrong (unknown user, wrong password, forged nonce).
        public var authenticationFailures = 0
        /// INVITEs refused because their source held no live registration.
        public var unregisteredCalls = 0
    }
    public private(set) var counts = Counts()

    /// `accounts`: user → password.
    public init(accounts: [String: String], realm: String, now: @escaping () -> Double) {
        self.passwords = accounts
        self.verifier = SIPDigestVerifier(realm: realm)
        self.now = now
    }

    /// The response to a REGISTER from `source`: status, reason and headers.
    public func register(_ request: SIPRequest, from source: SocketAddress) -> (Int, String?, [SIPHeaderField]) {
        let time = now()
        let credentials = (try? request.headers.authorization()) ?? []
        let user: String
        switch verifier.verify(credentials, method: request.method.rawValue, now: time, password: { passwords[$0] }) {
        case .accepted(let name): user = name
        case .missing: return challenge(time)
        case .stale: return challenge(time, stale: true)
        case .rejected:
            counts.authenticationFailures += 1
            return challenge(time)
        }
        guard let to = try? request.headers.to(), to.uri.user == user else {
            return (403, "Not Your Address Of Record", [])
        }
        expire(time)
        var mine = bindings[user] ?? []
        let headerExpires = try? request.headers.expires()
        switch try? request.headers.contact() {
        case .wildcard?:
            guard headerExpires == 0 else { return (400, "Contact * Needs Expires 0", []) }
            if !mine.isEmpty { counts.unregistered += 1 }
            mine = []
        case .addresses(let contacts)?:
            for contact in contacts {
                let asked = contact.parameters[parameter: "expires"].flatMap { $0.flatMap { UInt32($0) } } ?? headerExpires ?? 3600
                mine.removeAll { $0.contact == contact.uri }
                if asked == 0 {
                    counts.unregistered += 1
                    continue
                }
                guard asked >= minimumExpires else { return (423, nil, [SIPHeaderField(.minExpires, String(minimumExpires))]) }
                mine.append(Binding(contact: contact.uri, source: source, expiresAt: time + Double(min(asked, maximumExpires))))
                counts.registered += 1
            }
        case nil:
            break  // a query: the bindings as they are (§10.3 step 6)
        }
        bindings[user] = mine.isEmpty ? nil : mine
        let listed = mine.map { b in
            SIPHeaderField(.contact, SIPAddress(uri: b.contact, parameters: [SIPParameter("expires", String(Int((b.expiresAt - time).rounded())))]).description)
        }
        return (200, nil, listed)
    }

    /// Whether a live binding was registered from `source`; a call from anywhere else is
    /// counted as refused.
    public func admits(_ source: SocketAddress) -> Bool {
        let time = now()
        if bindings.values.contains(where: { $0.contains { $0.source == source && $0.expiresAt > time } }) { return true }
        counts.unregisteredCalls += 1
        return false
    }

    private func challenge(_ time: Double, stale: Bool = false) -> (Int, String?, [SIPHeaderField]) {
        (401, nil, [SIPHeaderField(.wwwAuthenticate, verifier.challenge(now: time, stale: stale).description)])
    }

    private func expire(_ time: Double) {
        bindings = bindings.compactMapValues { list in
            let live = list.filter { $0.expiresAt > time }
            return live.isEmpty ? nil : live
        }
    }
}
