/// A header field name. Comparison is case-insensitive and compact forms map to their full
/// names (RFC 3261 §7.3.1, §7.3.3, §20). Unknown names keep the spelling they arrived with.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The spelling written on the wire: the canonical form for known headers.
    public let name: String
    /// The lower-cased full name used for comparison.
    public let key: String

    private init(canonical: String) {
        self.name = canonical
        self.key = canonical.lowercased()
    }

    /// A header name from text; a known name or compact form becomes its canonical spelling.
    public init(_ text: String) {
        if let known = SIPHeaderName.known(text) {
            self = known
        } else {
            self.name = text
            self.key = text.lowercased()
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public static func == (a: SIPHeaderName, b: SIPHeaderName) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public var description: String { name }

    /// The canonical name for a known header or compact form in `bytes`, matched without
    /// allocating (this runs once per header line of every parsed message).
    static func known(_ bytes: UnsafeRawBufferPointer) -> SIPHeaderName? {
        let count = bytes.count
        guard count > 0, count <= 24 else { return nil }
        if count == 1 {
            return compact[Int(asciiLower(bytes[0]))]
        }
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(asciiLower(b))) &* 16_777_619 }
        let mask = table.count - 1
        var slot = Int(h) & mask
        while let candidate = table[slot] {
            if candidate.keyBytes.count == count, zip(candidate.keyBytes, bytes).allSatisfy({ $0 == asciiLower($1) }) {
                return candidate.name
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// A known name from text (the slow path of `init(_:)`).
    static func known(_ text: String) -> SIPHeaderName? {
        var t = text
        return t.withUTF8 { known(UnsafeRawBufferPointer($0)) }
    }

    public static let accept = SIPHeaderName(canonical: "Accept")
    public static let acceptEncoding = SIPHeaderName(canonical: "Accept-Encoding")
    public static let acceptLanguage = SIPHeaderName(canonical: "Accept-Language")
    public static let alertInfo = SIPHeaderName(canonical: "Alert-Info")
    public static let allow = SIPHeaderName(canonical: "Allow")
    public static let allowEvents = SIPHeaderName(canonical: "Allow-Events")
    public static let authorization = SIPHeaderName(canonical: "Authorization")
    public static let callID = SIPHeaderName(canonical: "Call-ID")
    public static let callInfo = SIPHeaderName(canonical: "Call-Info")
    public static let contact = SIPHeaderName(canonical: "Contact")
    public static let contentDisposition = SIPHeaderName(canonical: "Content-Disposition")
    public static let contentEncoding = SIPHeaderName(canonical: "Content-Encoding")
    public static let contentLanguage = SIPHeaderName(canonical: "Content-Language")
    public static let contentLength = SIPHeaderName(canonical: "Content-Length")
    public static let contentType = SIPHeaderName(canonical: "Content-Type")
    public static let cseq = SIPHeaderName(canonical: "CSeq")
    public static let date = SIPHeaderName(canonical: "Date")
    public static let event = SIPHeaderName(canonical: "Event")
    public static let expires = SIPHeaderName(canonical: "Expires")
    public static let from = SIPHeaderName(canonical: "From")
    public static let identity = SIPHeaderName(canonical: "Identity")
    public static let maxForwards = SIPHeaderName(canonical: "Max-Forwards")
    public static let minExpires = SIPHeaderName(canonical: "Min-Expires")
    public static let minSE = SIPHeaderName(canonical: "Min-SE")
    public static let pAssertedIdentity = SIPHeaderName(canonical: "P-Asserted-Identity")
    public static let pPreferredIdentity = SIPHeaderName(canonical: "P-Preferred-Identity")
    public static let privacy = SIPHeaderName(canonical: "Privacy")
    public static let proxyAuthenticate = SIPHeaderName(canonical: "Proxy-Authenticate")
    public static let proxyAuthorization = SIPHeaderName(canonical: "Proxy-Authorization")
    public static let proxyRequire = SIPHeaderName(canonical: "Proxy-Require")
    public static let rack = SIPHeaderName(canonical: "RAck")
    public static let reason = SIPHeaderName(canonical: "Reason")
    public static let recordRoute = SIPHeaderName(canonical: "Record-Route")
    public static let referTo = SIPHeaderName(canonical: "Refer-To")
    public static let referredBy = SIPHeaderName(canonical: "Referred-By")
    public static let replaces = SIPHeaderName(canonical: "Replaces")
    public static let require = SIPHeaderName(canonical: "Require")
    public static let retryAfter = SIPHeaderName(canonical: "Retry-After")
    public static let route = SIPHeaderName(canonical: "Route")
    public static let rseq = SIPHeaderName(canonical: "RSeq")
    public static let server = SIPHeaderName(canonical: "Server")
    public static let sessionExpires = SIPHeaderName(canonical: "Session-Expires")
    public static let subject = SIPHeaderName(canonical: "Subject")
    public static let subscriptionState = SIPHeaderName(canonical: "Subscription-State")
    public static let supported = SIPHeaderName(canonical: "Supported")
    public static let timestamp = SIPHeaderName(canonical: "Timestamp")
    public static let to = SIPHeaderName(canonical: "To")
    public static let unsupported = SIPHeaderName(canonical: "Unsupported")
    public static let userAgent = SIPHeaderName(canonical: "User-Agent")
    public static let via = SIPHeaderName(canonical: "Via")
    public static let warning = SIPHeaderName(canonical: "Warning")
    public static let wwwAuthenticate = SIPHeaderName(canonical: "WWW-Authenticate")

    static let all: [SIPHeaderName] = [
        accept, acceptEncoding, acceptLanguage, alertInfo, allow, allowEvents, authorization, callID,
        callInfo, contact, contentDisposition, contentEncoding, contentLanguage, contentLength,
        contentType, cseq, date, event, expires, from, identity, maxForwards, minExpires, minSE,
        pAssertedIdentity, pPreferredIdentity, privacy, proxyAuthenticate, proxyAuthorization,
        proxyRequire, rack, reason, recordRoute, referTo, referredBy, replaces, require, retryAfter,
        route, rseq, server, sessionExpires, subject, subscriptionState, supported, timestamp, to,
        unsupported, userAgent, via, warning, wwwAuthenticate,
    ]

    /// Compact forms (RFC 3261 §7.3.3 and the extensions that define one), indexed by byte.
    private static let compact: [SIPHeaderName?] = {
        var t = [SIPHeaderName?](repeating: nil, count: 256)
        let pairs: [(Character, SIPHeaderName)] = [
            ("i", callID), ("m", contact), ("e", contentEncoding), ("l", contentLength),
            ("c", contentType), ("f", from), ("s", subject), ("k", supported), ("t", to),
            ("v", via), ("o", event), ("r", referTo), ("b", referredBy), ("x", sessionExpires),
            ("u", allowEvents), ("y", identity),
        ]
        for (c, n) in pairs { t[Int(c.asciiValue!)] = n }
        return t
    }()

    private struct Entry {
        var name: SIPHeaderName
        var keyBytes: [UInt8]
    }

    /// Open-addressing table of the full names, keyed by a case-folded FNV-1a hash.
    private static let table: [Entry?] = {
        var t = [Entry?](repeating: nil, count: 256)
        for n in all {
            var h: UInt32 = 2_166_136_261
            for b in n.key.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
            var slot = Int(h) & (t.count - 1)
            while t[slot] != nil { slot = (slot + 1) & (t.count - 1) }
            t[slot] = Entry(name: n, keyBytes: Array(n.key.utf8))
        }
        return t
    }()
}
