/// One `m=` section (RFC 4566 §5.14) with its own `c=`, `a=` and other lines.
public struct MediaDescription: Sendable, Equatable {
    /// `audio`, `video`, `image` (T.38), ...
    public var media: String
    /// 0 marks a rejected or disabled stream (RFC 3264 §6, §8.2).
    public var port: Int
    /// The `/<number of ports>` suffix, when present.
    public var portCount: Int?
    /// `RTP/AVP`, `RTP/SAVP`, `udptl`, ...
    public var proto: String
    /// Payload type numbers for RTP, format names otherwise, in preference order.
    public var formats: [String]
    public var connection: SDPConnection?
    public var attributes: [SDPAttribute]
    /// `i=`, `b=` and `k=` lines, in order.
    public var otherLines: [SDPLine]

    public init(media: String = "audio", port: Int, portCount: Int? = nil, proto: String = "RTP/AVP", formats: [String],
                connection: SDPConnection? = nil, attributes: [SDPAttribute] = [], otherLines: [SDPLine] = []) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.attributes = attributes
        self.otherLines = otherLines
    }

    public var isRejected: Bool { port == 0 }

    /// Whether the transport is RTP (RFC 3551 `RTP/AVP` and its profiles).
    public var isRTP: Bool { proto.uppercased().hasPrefix("RTP/") }

    /// Values of every attribute with this name (names compare case-sensitively, RFC 4566 §5.13).
    public func attributeValues(_ name: String) -> [String] {
        attributes.compactMap { $0.name == name ? ($0.value ?? "") : nil }
    }

    public func hasAttribute(_ name: String) -> Bool { attributes.contains { $0.name == name } }

    /// The direction attribute, sendrecv when absent (RFC 3264 §5.1).
    public var direction: SDPDirection {
        get { attributes.lazy.compactMap { SDPDirection(rawValue: $0.name) }.first ?? .sendrecv }
        set {
            attributes.removeAll { SDPDirection(rawValue: $0.name) != nil }
            attributes.append(SDPAttribute(newValue.rawValue))
        }
    }

    /// `a=ptime` in milliseconds (RFC 4566 §6).
    public var ptime: Int? { attributeValues("ptime").first.flatMap(Self.milliseconds) }
    /// `a=maxptime` in milliseconds (RFC 4566 §6).
    public var maxptime: Int? { attributeValues("maxptime").first.flatMap(Self.milliseconds) }

    /// A packet time of 1 to 1000 ms; a fraction ("20.0") is cut to whole milliseconds.
    static func milliseconds(_ value: String) -> Int? {
        Int(value.prefix { $0 != "." }).flatMap { (1...1000).contains($0) ? $0 : nil }
    }

    /// `a=rtcp-mux` (RFC 5761 §5.1.1).
    public var rtcpMux: Bool { hasAttribute("rtcp-mux") }

    /// The `a=rtcp` port (RFC 3605), when the peer put RTCP elsewhere than port + 1.
    public var rtcpPort: Int? {
        attributeValues("rtcp").first.flatMap { Int($0.prefix { $0 != " " }) }.flatMap { (1...65535).contains($0) ? $0 : nil }
    }

    /// The encoding each payload type stands for: `a=rtpmap` entries, else the static
    /// assignments of RFC 3551 §6 for the formats listed.
    public func rtpMap(_ payloadType: Int) -> RTPMapEntry? {
        for v in attributeValues("rtpmap") {
            if let entry = RTPMapEntry(rtpmap: v), entry.payloadType == payloadType { return entry }
        }
        return RTPMapEntry.staticAssignment(payloadType)
    }

    /// The `a=fmtp` parameters of a payload type (RFC 4566 §6).
    public func fmtp(_ payloadType: Int) -> String? {
        let prefix = "\(payloadType) "
        return attributeValues("fmtp").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// One `name=value` parameter of a payload type's fmtp (`;`-separated, names compared
    /// without case, spaces around either ignored), as RFC 7587 §6.1 writes Opus's.
    public func fmtpParameter(_ name: String, of payloadType: Int) -> String? {
        guard let fmtp = fmtp(payloadType) else { return nil }
        func trimmed(_ s: Substring) -> String {
            var s = s
            while s.first == " " || s.first == "\t" { s.removeFirst() }
            while s.last == " " || s.last == "\t" { s.removeLast() }
            return String(s)
        }
        for pair in fmtp.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, trimmed(parts[0]).lowercased() == name.lowercased() else { continue }
            return trimmed(parts[1])
        }
        return nil
    }

    /// The Opus receiver's `maxplaybackrate` for `payloadType` (RFC 7587 §6.1: the highest
    /// rate it renders, 8,000 to 48,000 Hz), when it gave a valid one.
    public func opusMaxPlaybackRate(of payloadType: Int) -> Int? {
        fmtpParameter("maxplaybackrate", of: payloadType).flatMap { Int($0) }.flatMap { (8000...48000).contains($0) ? $0 : nil }
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 4566 §6).
public struct RTPMapEntry: Sendable, Equatable {
    public var payloadType: Int
    public var encoding: String
    public var clockRate: Int
    public var channels: Int

    public init(payloadType: Int, encoding: String, clockRate: Int, channels: Int = 1) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
    }

    public init?(rtpmap value: String) {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = Int(parts[0]), (0...127).contains(pt) else { return nil }
        let enc = parts[1].split(separator: "/")
        guard enc.count >= 2, let rate = Int(enc[1]), rate > 0 else { return nil }
        let channels = enc.count > 2 ? Int(enc[2]) : 1
        guard let channels, channels > 0 else { return nil }
        self.init(payloadType: pt, encoding: String(enc[0]), clockRate: rate, channels: channels)
    }

    public var rtpmapValue: String {
        "\(payloadType) \(encoding)/\(clockRate)" + (channels != 1 ? "/\(channels)" : "")
    }

    /// Whether two entries name the same encoding (names compare case-insensitively, RFC 4566 §6).
    public func sameEncoding(as other: RTPMapEntry) -> Bool {
        encoding.lowercased() == other.encoding.lowercased() && clockRate == other.clockRate && channels == other.channels
    }

    /// The audio payload types RFC 3551 §6 assigns statically that sipdial knows.
    public static func staticAssignment(_ payloadType: Int) -> RTPMapEntry? {
        switch payloadType {
        case 0: RTPMapEntry(payloadType: 0, encoding: "PCMU", clockRate: 8000)
        case 8: RTPMapEntry(payloadType: 8, encoding: "PCMA", clockRate: 8000)
        case 9: RTPMapEntry(payloadType: 9, encoding: "G722", clockRate: 8000)
        case 13: RTPMapEntry(payloadType: 13, encoding: "CN", clockRate: 8000)
        case 18: RTPMapEntry(payloadType: 18, encoding: "G729", clockRate: 8000)
        default: nil
        }
    }
}
