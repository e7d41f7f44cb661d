/// Reads a session description (RFC 4566 §5) from the body of a SIP message.
///
/// Lines are `<type>=<value>` ending in CRLF or a bare LF; `v=0` comes first, `o=` and `s=`
/// are required, and everything after the first `m=` belongs to a media section. Lines of
/// unknown types are kept (RFC 4566 §5 says to ignore them), so are unknown attributes.
/// Limits on size and line count keep a hostile body cheap to refuse.
public struct SDPParser: Sendable {
    public var maxBytes: Int
    public var maxLines: Int

    public init(maxBytes: Int = 16_384, maxLines: Int = 512) {
        self.maxBytes = maxBytes
        self.maxLines = maxLines
    }

    public func parse(_ bytes: some Collection<UInt8>) throws(SDPParseError) -> SessionDescription {
        guard bytes.count <= maxBytes else { throw SDPParseError(line: 0, "larger than \(maxBytes) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw SDPParseError(line: 0, "not UTF-8") }
        return try parse(text)
    }

    public func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        // Split on bytes: "\r\n" is one Character, so a Character split would miss it.
        var lines = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard lines.count <= maxLines else { throw SDPParseError(line: maxLines + 1, "more than \(maxLines) lines") }
        guard !lines.isEmpty else { throw SDPParseError(line: 1, "empty session description") }

        var origin: SDPOrigin?
        var sessionName: String?
        var session = SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: 0, address: SDPConnection(.ip4, "0.0.0.0")), timing: [])
        for (index, raw) in lines.enumerated() {
            let n = index + 1
            guard raw.count >= 2, raw.utf8.dropFirst().first == UInt8(ascii: "="),
                  let typeByte = raw.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(typeByte) else {
                throw SDPParseError(line: n, "expected <type>=<value>")
            }
            let type = Character(Unicode.Scalar(typeByte))
            let value = String(raw.dropFirst(2))
            if n == 1 {
                guard type == "v", value == "0" else { throw SDPParseError(line: 1, "the first line must be v=0") }
                continue
            }
            switch type {
            case "v": throw SDPParseError(line: n, "v= repeated")
            case "m":
                session.media.append(try Self.mediaLine(value, line: n))
            case "c":
                let c = try Self.connection(value, line: n)
                if session.media.isEmpty { session.connection = c } else { session.media[session.media.count - 1].connection = c }
            case "a":
                let a = Self.attribute(value)
                if session.media.isEmpty { session.attributes.append(a) } else { session.media[session.media.count - 1].attributes.append(a) }
            case "o" where session.media.isEmpty:
                guard origin == nil else { throw SDPParseError(line: n, "o= repeated") }
                origin = try Self.origin(value, line: n)
            case "s" where session.media.isEmpty:
                guard sessionName == nil else { throw SDPParseError(line: n, "s= repeated") }
                sessionName = value
            case "t" where session.media.isEmpty:
                session.timing.append(value)
            default:
                if session.media.isEmpty {
                    session.otherLines.insertInGrammarOrder(SDPLine(type, value), media: false)
                } else {
                    session.media[session.media.count - 1].otherLines.insertInGrammarOrder(SDPLine(type, value), media: true)
                }
            }
        }
        guard let origin else { throw SDPParseError(line: 2, "missing o= line") }
        guard let sessionName else { throw SDPParseError(line: 3, "missing s= line") }
        session.origin = origin
        session.sessionName = sessionName
        for m in session.media where m.isRTP && !m.isRejected && session.connection(of: m) == nil {
            throw SDPParseError(line: 0, "media '\(m.media) \(m.port)' has no c= line (RFC 4566 §5.7)")
        }
        return session
    }

    /// `o=<username> <sess-id> <sess-version> IN <addrtype> <address>` (§5.2).
    static func origin(_ v: String, line: Int) throws(SDPParseError) -> SDPOrigin {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 6 else { throw SDPParseError(line: line, "o= needs six fields") }
        guard f[1].allSatisfy(\.isNumber) else { throw SDPParseError(line: line, "o= session id is not numeric") }
        guard let version = UInt64(f[2]) else { throw SDPParseError(line: line, "o= session version is not a number") }
        let address = try connection(f[3...].joined(separator: " "), line: line)
        return SDPOrigin(username: String(f[0]), sessionID: String(f[1]), sessionVersion: version, address: address)
    }

    /// `c=IN <IP4|IP6> <address>` (§5.7).
    static func connection(_ v: String, line: Int) throws(SDPParseError) -> SDPConnection {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 3 else { throw SDPParseError(line: line, "connection data needs three fields") }
        guard f[0] == "IN" else { throw SDPParseError(line: line, "network type '\(f[0])' is not IN") }
        guard let type = SDPConnection.AddressType(rawValue: String(f[1])) else {
            throw SDPParseError(line: line, "address type '\(f[1])' is not IP4 or IP6")
        }
        let address = String(f[2])
        let host = address.split(separator: "/", omittingEmptySubsequences: false)[0]
        let valid = type == .ip4 ? isIPv4(host) || isHostName(host) : host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        guard valid else { throw SDPParseError(line: line, "'\(address)' is not an \(type.rawValue) address") }
        return SDPConnection(type, address)
    }

    /// `m=<media> <port>[/<number>] <proto> <fmt> ...` (§5.14).
    static func mediaLine(_ v: String, line: Int) throws(SDPParseError) -> MediaDescription {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 3 else { throw SDPParseError(line: line, "m= needs media, port and proto") }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard let port = Int(portParts[0]), (0...65535).contains(port) else { throw SDPParseError(line: line, "m= port is not 0-65535") }
        var count: Int?
        if portParts.count > 1 {
            guard portParts.count == 2, let c = Int(portParts[1]), c > 0 else { throw SDPParseError(line: line, "bad m= port count") }
            count = c
        }
        let proto = String(f[2])
        let formats = f[3...].map(String.init)
        if proto.uppercased().hasPrefix("RTP/") {
            guard !formats.isEmpty || port == 0 else { throw SDPParseError(line: line, "RTP media without payload types") }
            for fmt in formats where Int(fmt).map({ !(0...127).contains($0) }) ?? true {
                throw SDPParseError(line: line, "RTP payload type '\(fmt)' is not 0-127")
            }
        }
        return MediaDescription(media: String(f[0]), port: port, portCount: count, proto: proto, formats: formats)
    }

    static func attribute(_ v: String) -> SDPAttribute {
        guard let colon = v.firstIndex(of: ":") else { return SDPAttribute(v) }
        return SDPAttribute(String(v[..<colon]), String(v[v.index(after: colon)...]))
    }

    static func isIPv4(_ s: Substring) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in p.count <= 3 && Int(p).map { (0...255).contains($0) } ?? false }
    }

    /// FQDNs are allowed in c= (RFC 4566 §5.7), though rare.
    static func isHostName(_ s: Substring) -> Bool {
        !s.isEmpty && s.contains(where: \.isLetter) && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
    }
}
