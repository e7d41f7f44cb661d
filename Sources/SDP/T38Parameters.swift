/// The T.38 fax session of an `m=image <port> udptl t38` section (ITU-T T.38 Annex D.2.3,
/// RFC 3362): what each side declares and how an answer follows an offer.
///
/// Names are read without regard to case and with the aliases seen in the field
/// (`T38MaxDatagram` for `T38FaxMaxDatagram`, `T38FaxMaxRate` for `T38MaxBitRate`); a
/// boolean is true when present alone or written `:1`, false when absent or `:0`. Written
/// back with the Annex's names, booleans alone.
public struct T38Parameters: Sendable, Equatable {
    public enum RateManagement: String, Sendable {
        case localTCF, transferredTCF
    }

    /// `T38FaxUdpEC`: what recovers lost UDPTL datagrams.
    public enum ErrorCorrection: String, Sendable {
        case fec = "t38UDPFEC"
        case redundancy = "t38UDPRedundancy"
    }

    public var version = 0
    public var maxBitRate = 14_400
    public var fillBitRemoval = false
    public var transcodingMMR = false
    public var transcodingJBIG = false
    public var rateManagement = RateManagement.transferredTCF
    /// The largest buffer and datagram this side can take (declared, not negotiated).
    public var maxBuffer: Int?
    public var maxDatagram: Int?
    /// nil: none (no `T38FaxUdpEC`).
    public var errorCorrection: ErrorCorrection? = .redundancy

    public init() {}

    /// The parameters of a T.38 media section; nil when it is not one (`image`, `udptl`, `t38`).
    public init?(_ media: MediaDescription) {
        guard media.media.lowercased() == "image", media.proto.lowercased() == "udptl",
              media.formats.contains(where: { $0.lowercased() == "t38" }) else { return nil }
        self.init()
        errorCorrection = nil
        for attribute in media.attributes {
            let value = attribute.value.map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
            let number = value.flatMap { Int($0) }
            let flag = value == nil || value == "1" || value?.lowercased() == "true"
            switch attribute.name.lowercased() {
            case "t38faxversion": version = number.map { max(0, min($0, 3)) } ?? version
            case "t38maxbitrate", "t38faxmaxrate": maxBitRate = number.map { max(2400, min($0, 33_600)) } ?? maxBitRate
            case "t38faxfillbitremoval": fillBitRemoval = flag
            case "t38faxtranscodingmmr": transcodingMMR = flag
            case "t38faxtranscodingjbig": transcodingJBIG = flag
            case "t38faxratemanagement":
                rateManagement = value?.lowercased() == "localtcf" ? .localTCF : .transferredTCF
            case "t38faxmaxbuffer": maxBuffer = number.flatMap { $0 > 0 ? $0 : nil }
            case "t38faxmaxdatagram", "t38maxdatagram": maxDatagram = number.flatMap { $0 > 0 ? $0 : nil }
            case "t38faxudpec":
                switch value?.lowercased() {
                case "t38udpfec": errorCorrection = .fec
                case "t38udpredundancy": errorCorrection = .redundancy
                default: errorCorrection = nil
                }
            default: break
            }
        }
    }

    /// The attributes that declare these parameters, in the Annex's order and names.
    public var attributes: [SDPAttribute] {
        var out = [SDPAttribute("T38FaxVersion", "\(version)"), SDPAttribute("T38MaxBitRate", "\(maxBitRate)")]
        if fillBitRemoval { out.append(SDPAttribute("T38FaxFillBitRemoval")) }
        if transcodingMMR { out.append(SDPAttribute("T38FaxTranscodingMMR")) }
        if transcodingJBIG { out.append(SDPAttribute("T38FaxTranscodingJBIG")) }
        out.append(SDPAttribute("T38FaxRateManagement", rateManagement.rawValue))
        if let maxBuffer { out.append(SDPAttribute("T38FaxMaxBuffer", "\(maxBuffer)")) }
        if let maxDatagram { out.append(SDPAttribute("T38FaxMaxDatagram", "\(maxDatagram)")) }
        if let errorCorrection { out.append(SDPAttribute("T38FaxUdpEC", errorCorrection.rawValue)) }
        return out
    }

    /// The `m=image` section offering or answering these parameters on `port`.
    public func media(port: Int, connection: SDPConnection? = nil) -> MediaDescription {
        MediaDescription(media: "image", port: port, proto: "udptl", formats: ["t38"], connection: connection, attributes: attributes)
    }

    /// The answer to `offer` from a side that can do `self` (T.38 Annex D.2.3): the lower
    /// version and bit rate; the transcoding and fill-bit options only where both have them;
    /// the offer's rate management (an answer may not change it); FEC only when both do it,
    /// else redundancy when the offer has any recovery; this side's own buffer and datagram
    /// sizes.
    public func answer(to offer: T38Parameters) -> T38Parameters {
        var answer = self
        answer.version = min(version, offer.version)
        answer.maxBitRate = min(maxBitRate, offer.maxBitRate)
        answer.fillBitRemoval = fillBitRemoval && offer.fillBitRemoval
        answer.transcodingMMR = transcodingMMR && offer.transcodingMMR
        answer.transcodingJBIG = transcodingJBIG && offer.transcodingJBIG
        answer.rateManagement = offer.rateManagement
        switch (offer.errorCorrection, errorCorrection) {
        case (.fec?, .fec?): answer.errorCorrection = .fec
        case (nil, _), (_, nil): answer.errorCorrection = nil
        default: answer.errorCorrection = .redundancy
        }
        return answer
    }
}
