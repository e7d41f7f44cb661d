import SDP
import T38

/// A T.38 stream agreed in the dialog: where the far end takes UDPTL and what both sides
/// keep to (ITU-T T.38 Annex D.2.3).
public struct T38Stream: Sendable, Equatable {
    public var remoteAddress: String
    public var remotePort: Int
    /// The parameters of the answer: version, rate management and error correction agreed.
    public var agreed: T38Parameters
    /// The largest datagram the far end takes (its own `T38FaxMaxDatagram`).
    public var remoteMaxDatagram: Int

    /// `base` with what this stream agreed: IFPs kept below the far end's limit, the version
    /// and the TCF method.
    public func settings(_ base: FaxSettings) -> FaxSettings {
        var settings = base
        settings.maxDatagram = remoteMaxDatagram
        settings.version = agreed.version
        settings.rateManagement = agreed.rateManagement == .localTCF ? .localTCF : .transferredTCF
        return settings
    }

    /// UDPTL error recovery as agreed (T.38 §9.1): FEC, redundancy three deep, or none.
    public var scheme: UDPTLSender.Scheme {
        switch agreed.errorCorrection {
        case .fec?: .fec(span: 3, entries: 3)
        case .redundancy?: .redundancy(depth: 3)
        case nil: .none
        }
    }
}

/// The SDP of a switch to T.38 (RFC 3362, T.38 Annex D, offer/answer per RFC 3264): this
/// side's `m=image` offer, its answer to the far end's, and the stream either agrees on.
public enum T38Negotiation {
    /// What sipdial declares: version 0 (what every gateway speaks), 14,400 bit/s (V.17),
    /// transferred TCF (the method T.38 recommends over UDP), redundancy, and datagrams of
    /// up to 400 octets in a buffer of 2,000.
    public static var local: T38Parameters {
        var parameters = T38Parameters()
        parameters.maxBuffer = 2000
        parameters.maxDatagram = 400
        return parameters
    }

    /// A datagram limit for a far end that declares none (T.38 Annex D leaves it to the
    /// implementation; 400 octets hold a V.17 IFP with redundancy).
    static let defaultMaxDatagram = 400

    /// This side's offer: one `m=image` section at `host:port`. The session keeps the o=
    /// identity and version (`InviteSession` stamps them).
    public static func offer(host: String, port: Int) -> SessionDescription {
        let connection = SDPConnection(address: host)
        return SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: 0, address: connection), connection: connection,
                                  media: [local.media(port: port)])
    }

    /// The answer to the far end's offer and the stream it agrees; nil when the offer has no
    /// usable T.38 section. Every other section is declined with port 0 (RFC 3264 §6: the
    /// answer keeps the offer's sections, in order), audio beside T.38 included: the fax
    /// moves to T.38 alone.
    public static func answer(_ offer: SessionDescription, host: String, port: Int) -> (SessionDescription, T38Stream)? {
        guard let index = offer.media.firstIndex(where: { $0.port != 0 && T38Parameters($0) != nil }),
              let theirs = T38Parameters(offer.media[index]),
              let address = (offer.media[index].connection ?? offer.connection)?.address else { return nil }
        let agreed = local.answer(to: theirs)
        let sections = offer.media.enumerated().map { i, section in
            if i == index { return agreed.media(port: port) }
            return MediaDescription(media: section.media, port: 0, proto: section.proto, formats: section.formats)
        }
        let connection = SDPConnection(address: host)
        let answer = SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: 0, address: connection), connection: connection,
                                        media: sections)
        let stream = T38Stream(remoteAddress: address, remotePort: offer.media[index].port, agreed: agreed,
                               remoteMaxDatagram: theirs.maxDatagram ?? defaultMaxDatagram)
        return (answer, stream)
    }

    /// The stream the far end's answer to this side's offer agrees; nil when it declined T.38
    /// (port 0 or no `m=image`).
    public static func stream(answer: SessionDescription) -> T38Stream? {
        guard let section = answer.media.first(where: { $0.port != 0 && T38Parameters($0) != nil }),
              let theirs = T38Parameters(section),
              let address = (section.connection ?? answer.connection)?.address else { return nil }
        // The answer's version, rate management and recovery are what was agreed (Annex D.2.3).
        var agreed = local
        agreed.version = min(local.version, theirs.version)
        agreed.maxBitRate = min(local.maxBitRate, theirs.maxBitRate)
        agreed.rateManagement = theirs.rateManagement
        agreed.errorCorrection = theirs.errorCorrection
        return T38Stream(remoteAddress: address, remotePort: section.port, agreed: agreed,
                         remoteMaxDatagram: theirs.maxDatagram ?? defaultMaxDatagram)
    }
}
