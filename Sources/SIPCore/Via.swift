/// One Via header value (RFC 3261 §20.42, §18.2.1, RFC 3581 for `rport`).
public struct Via: Sendable, Hashable, CustomStringConvertible {
    /// Transport token in upper case: UDP, TCP, TLS, SCTP, WS, ... (RFC 3261 §20.42).
    public var transport: String
    /// Sent-by host: name, IPv4 or bracketed IPv6 reference.
    public var host: String
    public var port: Int?
    public var parameters: [SIPParameter]

    /// The RFC 3261 §8.1.1.7 magic cookie that starts every compliant branch.
    public static let magicCookie = "z9hG4bK"

    public init(transport: String, host: String, port: Int? = nil, parameters: [SIPParameter] = []) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public var branch: String? {
        get { parameters[parameter: "branch"] ?? nil }
        set { if let newValue { parameters.set("branch", newValue) } else { parameters.remove(parameter: "branch") } }
    }

    public var received: String? {
        get { parameters[parameter: "received"] ?? nil }
        set { if let newValue { parameters.set("received", newValue) } else { parameters.remove(parameter: "received") } }
    }

    /// `rport` (RFC 3581): `.some(nil)` when present without a value (a request asking for it),
    /// `.some(port)` when filled in, nil when absent.
    public var rport: Int?? {
        guard let p = parameters[parameter: "rport"] else { return nil }
        guard let v = p else { return .some(nil) }
        return .some(Int(v))
    }

    public var maddr: String? { parameters[parameter: "maddr"] ?? nil }
    public var ttl: Int? { (parameters[parameter: "ttl"] ?? nil).flatMap { Int($0) } }

    /// Whether the branch carries the RFC 3261 magic cookie and something after it.
    public var hasRFC3261Branch: Bool {
        guard let b = branch else { return false }
        return b.hasPrefix(Via.magicCookie) && b.utf8.count > Via.magicCookie.utf8.count
    }

    /// host[:port] as written in sent-by.
    public var sentBy: String {
        port.map { "\(host):\($0)" } ?? host
    }

    public var description: String {
        "SIP/2.0/\(transport) \(sentBy)" + parameters.serialized()
    }

    /// Parses one via-parm. With `strict` off, any protocol version is taken and parameters
    /// after a malformed one are dropped: enough to address an error response to a broken
    /// request (RFC 3261 §18.2.2, RFC 4475 §3.1.2.1 and §3.1.2.16).
    public init(parsing text: some StringProtocol, strict: Bool = true) throws(SIPSyntaxError) {
        var s = SIPValueScanner(text, header: "Via")
        let name = try s.token("protocol name")
        try s.expect(UInt8(ascii: "/"), "'/' after protocol name")
        let version = try s.token("protocol version")
        try s.expect(UInt8(ascii: "/"), "'/' after protocol version")
        let transport = try s.token("transport")
        guard !strict || (name.caseInsensitiveEquals("SIP") && version == "2.0") else {
            throw SIPSyntaxError("unsupported protocol \(name)/\(version)", header: "Via", position: 0)
        }
        s.skipWhitespace()
        let hostStart = s.index
        let hostAndPort = s.scan(SIPCharacterClass.host)
        var hostBytes = Array(hostAndPort.utf8)
        var port: Int?
        if hostBytes.first == UInt8(ascii: "["), let close = hostBytes.firstIndex(of: UInt8(ascii: "]")) {
            if close + 1 < hostBytes.count {
                guard hostBytes[close + 1] == UInt8(ascii: ":"), let p = Int(String(decoding: hostBytes[(close + 2)...], as: UTF8.self)), (0...65535).contains(p) else {
                    throw SIPSyntaxError("invalid sent-by port", header: "Via", position: hostStart + close + 1)
                }
                port = p
                hostBytes = Array(hostBytes[...close])
            }
        } else if let colon = hostBytes.firstIndex(of: UInt8(ascii: ":")) {
            guard let p = Int(String(decoding: hostBytes[(colon + 1)...], as: UTF8.self)), (0...65535).contains(p) else {
                throw SIPSyntaxError("invalid sent-by port", header: "Via", position: hostStart + colon)
            }
            port = p
            hostBytes = Array(hostBytes[..<colon])
        }
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard !host.isEmpty else { throw SIPSyntaxError("missing sent-by host", header: "Via", position: hostStart) }
        // A port may also follow after LWS ("host : 5060" is legal LWS around COLON).
        if port == nil, s.consume(UInt8(ascii: ":")) {
            s.skipWhitespace()
            let digits = s.scan(SIPCharacterClass.token)
            guard let p = Int(digits), (0...65535).contains(p) else { throw s.error("invalid sent-by port") }
            port = p
        }
        guard strict else {
            self.init(transport: transport.uppercased(), host: host, port: port, parameters: (try? s.parameters()) ?? [])
            return
        }
        let params = try s.parameters()
        try s.expectEnd()
        self.init(transport: transport.uppercased(), host: host, port: port, parameters: params)
        if let ttl = parameters[parameter: "ttl"], ttl.flatMap({ Int($0) }).map({ !(0...255).contains($0) }) ?? true {
            throw SIPSyntaxError("ttl must be 0-255", header: "Via")
        }
        if let rport = parameters[parameter: "rport"], let v = rport, Int(v).map({ !(0...65535).contains($0) }) ?? true {
            throw SIPSyntaxError("rport must be a port number", header: "Via")
        }
    }

    /// Parses a Via header field value, which may hold several comma-separated via-parms.
    public static func parseList(_ text: some StringProtocol) throws(SIPSyntaxError) -> [Via] {
        var out: [Via] = []
        for part in splitSIPList(text) {
            out.append(try Via(parsing: part))
        }
        return out
    }
}
