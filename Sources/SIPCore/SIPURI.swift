/// A SIP, SIPS or tel URI, or an absolute URI of another scheme kept opaque
/// (RFC 3261 §19.1, RFC 3966, RFC 3261 §25.1 `absoluteURI`).
///
/// Parts are kept as received, %-escapes included, so that a URI re-serializes to the same
/// text; `decodedUser` gives the unescaped user part (RFC 3261 §19.1.2).
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: Sendable, Hashable {
        case sip, sips, tel
        case other(String)

        public var name: String {
            switch self {
            case .sip: "sip"
            case .sips: "sips"
            case .tel: "tel"
            case .other(let s): s
            }
        }
    }

    public var scheme: Scheme
    /// The user part (for tel: the number), %-escapes as received.
    public var user: String?
    public var password: String?
    /// Host name, IPv4 address, or IPv6 reference with its brackets.
    public var host: String
    public var port: Int?
    public var parameters: [SIPParameter]
    /// The `?name=value&...` headers of a SIP URI (RFC 3261 §19.1.1).
    public var headers: [SIPParameter]
    /// For schemes other than sip, sips and tel: everything after `scheme:`.
    public var opaque: String?

    public init(
        scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: String,
        port: Int? = nil, parameters: [SIPParameter] = [], headers: [SIPParameter] = []
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = nil
    }

    /// The user part with %-escapes resolved.
    public var decodedUser: String? { user.map(SIPURI.percentDecoded) }

    /// The host without IPv6 brackets, as a socket address wants it.
    public var hostWithoutBrackets: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The value of the `transport` URI parameter, lower-cased.
    public var transportParameter: String? {
        parameters[parameter: "transport"]??.lowercased()
    }

    public var description: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the URI's text (RFC 3261 §19.1.1 order) without building intermediate strings.
    public func write(into out: inout [UInt8]) {
        out.appendUTF8(scheme.name)
        out.append(UInt8(ascii: ":"))
        if let opaque {
            out.appendUTF8(opaque)
            return
        }
        if let user {
            out.appendUTF8(user)
            if let password {
                out.append(UInt8(ascii: ":"))
                out.appendUTF8(password)
            }
            if scheme != .tel { out.append(UInt8(ascii: "@")) }
        }
        out.appendUTF8(host)
        if let port {
            out.append(UInt8(ascii: ":"))
            out.appendUTF8(String(port))
        }
        for p in parameters {
            out.append(UInt8(ascii: ";"))
            out.appendUTF8(p.name)
            if let v = p.value {
                out.append(UInt8(ascii: "="))
                out.appendUTF8(v)
            }
        }
        for (i, h) in headers.enumerated() {
            out.append(UInt8(ascii: i == 0 ? "?" : "&"))
            out.appendUTF8(h.name)
            if let v = h.value {
                out.append(UInt8(ascii: "="))
                out.appendUTF8(v)
            }
        }
    }

    static func percentDecoded(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count,
               let hi = hexValue(b[i + 1]), let lo = hexValue(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
