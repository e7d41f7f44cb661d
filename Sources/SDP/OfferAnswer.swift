/// What sipdial wants from an audio stream when it offers or answers.
public struct AudioPreferences: Sendable, Equatable {
    /// Codecs in preference order; the first one the peer also has is used.
    public var codecs: [AudioCodec]
    /// Offer and accept RFC 4733 telephone-events.
    public var telephoneEvents: Bool
    /// Packetization time in ms asked of the peer (`a=ptime`).
    public var ptime: Int
    /// sendrecv normally; sendonly to put the peer on hold (RFC 3264 §8.4).
    public var direction: SDPDirection
    /// This side's SDES keys when the stream may or must be SRTP; nil for plain RTP only.
    public var srtp: SDESKeys?

    public init(codecs: [AudioCodec] = [.pcmu, .pcma], telephoneEvents: Bool = true, ptime: Int = 20, direction: SDPDirection = .sendrecv,
                srtp: SDESKeys? = nil) {
        self.codecs = codecs
        self.telephoneEvents = telephoneEvents
        self.ptime = ptime
        self.direction = direction
        self.srtp = srtp
    }

    /// The same preferences with fresh SDES keys: each call has keys of its own.
    public func withFreshKeys() -> AudioPreferences {
        var fresh = self
        fresh.srtp = srtp?.renewed()
        return fresh
    }
}

/// The outcome of offer/answer for the audio stream: how to send and where.
public struct NegotiatedAudio: Sendable, Equatable {
    public var codec: AudioCodec
    /// The payload type to send the codec with: the number the peer's description gave it.
    public var payloadType: Int
    /// The peer's telephone-event payload type and clock rate, when both sides have it.
    public var telephoneEvent: RTPMapEntry?
    public var remoteAddress: String
    public var remotePort: Int
    /// Where RTCP goes: the RTP port with rtcp-mux (RFC 5761), `a=rtcp` (RFC 3605), or port + 1.
    public var remoteRTCPPort: Int
    public var rtcpMux: Bool
    /// The packetization the peer asked for, else 20 ms.
    public var ptime: Int
    /// What sipdial does on this stream: whether it sends and whether it receives.
    public var direction: SDPDirection
    /// The index of the audio stream among the m= lines.
    public var mediaIndex: Int
    /// With Opus, the peer's `maxplaybackrate` (RFC 7587 §6.1): audio above half of it is
    /// wasted on the peer, so the encoder leaves it out.
    public var maxPlaybackRate: Int? = nil
    /// The SRTP suite and keys, when the stream is SRTP.
    public var srtp: NegotiatedSRTP? = nil
}

/// Why offer/answer failed; a UAS answers 488 Not Acceptable Here (RFC 3261 §21.4.26).
public struct NegotiationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The offer/answer model (RFC 3264) for sipdial's one audio stream.
public enum OfferAnswer {
    /// An offer with one audio stream (RFC 3264 §5): every preferred codec, telephone-events
    /// at each codec clock rate used, ptime and direction; with SDES keys, an `a=crypto` per
    /// suite (RFC 4568 §5) on `RTP/SAVP` when SRTP is required, else on `RTP/AVP`.
    public static func offer(origin: SDPOrigin, address: String, port: Int, preferences: AudioPreferences) -> SessionDescription {
        var media = MediaDescription(port: port, proto: preferences.srtp?.required == true ? "RTP/SAVP" : "RTP/AVP", formats: [])
        for codec in preferences.codecs {
            let map = codec.rtpMap
            media.formats.append(String(map.payloadType))
            media.attributes.append(SDPAttribute("rtpmap", map.rtpmapValue))
            if let fmtp = codec.fmtp { media.attributes.append(SDPAttribute("fmtp", "\(map.payloadType) \(fmtp)")) }
        }
        if preferences.telephoneEvents {
            for rate in Set(preferences.codecs.map { $0.clockRate == 8000 ? 8000 : 48000 }).sorted() {
                let map = TelephoneEvent.rtpMap(clockRate: rate)
                media.formats.append(String(map.payloadType))
                media.attributes.append(SDPAttribute("rtpmap", map.rtpmapValue))
                media.attributes.append(SDPAttribute("fmtp", "\(map.payloadType) \(TelephoneEvent.fmtp)"))
            }
        }
        media.attributes.append(SDPAttribute("ptime", String(preferences.ptime)))
        media.attributes.append(SDPAttribute(preferences.direction.rawValue))
        media.attributes += preferences.srtp?.offerAttributes ?? []
        return SessionDescription(origin: origin, connection: SDPConnection(address: address), media: [media])
    }

    /// Answers an offer (RFC 3264 §6): the first RTP audio stream sharing a codec is accepted
    /// with the first of sipdial's preferred codecs the offer has (and telephone-events at
    /// its clock rate, with the offer's payload type numbers) and, when SRTP is on both
    /// sides, the first offered `a=crypto` it can use; every other stream is rejected with
    /// port 0, keeping the offer's m= lines in number and order.
    public static func answer(to offer: SessionDescription, origin: SDPOrigin, address: String, port: Int,
                              preferences: AudioPreferences) throws(NegotiationError) -> (SessionDescription, NegotiatedAudio) {
        var answer = SessionDescription(origin: origin, connection: SDPConnection(address: address))
        var chosen: NegotiatedAudio?
        var srtpRefusal: String?
        for (index, m) in offer.media.enumerated() {
            let common = chosen == nil && m.media == "audio" && m.isRTP && !m.isRejected ? firstCommonCodec(in: m, preferring: preferences.codecs) : nil
            let security = common == nil ? nil : secure(m, with: preferences.srtp)
            if case .refused(let why) = security { srtpRefusal = why }
            if let (codec, pt) = common, let security, security.accepted,
               let connection = offer.connection(of: m) {
                var accepted = MediaDescription(port: port, proto: m.proto, formats: [String(pt)])
                accepted.attributes.append(SDPAttribute("rtpmap", RTPMapEntry(payloadType: pt, encoding: codec.rtpMap.encoding,
                                                                              clockRate: codec.clockRate, channels: codec.rtpMap.channels).rtpmapValue))
                if let fmtp = codec.fmtp { accepted.attributes.append(SDPAttribute("fmtp", "\(pt) \(fmtp)")) }
                let event = preferences.telephoneEvents ? telephoneEvent(in: m, clockRate: codec.clockRate) : nil
                if let event {
                    accepted.formats.append(String(event.payloadType))
                    accepted.attributes.append(SDPAttribute("rtpmap", event.rtpmapValue))
                    accepted.attributes.append(SDPAttribute("fmtp", "\(event.payloadType) \(m.fmtp(event.payloadType) ?? TelephoneEvent.fmtp)"))
                }
                if m.rtcpMux { accepted.attributes.append(SDPAttribute("rtcp-mux")) }
                accepted.attributes.append(SDPAttribute("ptime", String(preferences.ptime)))
                if case .keyed(_, let crypto) = security { accepted.attributes.append(crypto) }
                // c=0.0.0.0 (RFC 2543 hold): the offerer does not want to receive (RFC 3264 §8.4).
                let offered = connection.isHoldAddress ? SDPDirection(sends: m.direction.sends, receives: false) : m.direction
                let direction = offered.answer(wanting: preferences.direction)
                accepted.direction = direction
                answer.media.append(accepted)
                chosen = NegotiatedAudio(codec: codec, payloadType: pt, telephoneEvent: event, remoteAddress: connection.address,
                                         remotePort: m.port, remoteRTCPPort: rtcpPort(of: m), rtcpMux: m.rtcpMux,
                                         ptime: m.ptime ?? 20, direction: direction, mediaIndex: index,
                                         maxPlaybackRate: codec == .opus ? m.opusMaxPlaybackRate(of: pt) : nil)
                if case .keyed(let srtp, _) = security { chosen?.srtp = srtp }
            } else {
                answer.media.append(MediaDescription(media: m.media, port: 0, proto: m.proto, formats: m.formats.isEmpty ? ["0"] : m.formats))
            }
        }
        guard let chosen else {
            if let srtpRefusal { throw NegotiationError(srtpRefusal) }
            throw NegotiationError(offer.media.contains { $0.media == "audio" && !$0.isRejected }
                                   ? "no common audio codec (sipdial has \(preferences.codecs.map(\.rawValue).joined(separator: ", ")))"
                                   : "no audio stream offered")
        }
        return (answer, chosen)
    }

    /// Reads the answer to sipdial's offer (RFC 3264 §7): the codec is the first of the
    /// answer's formats that the offer had.
    public static func accept(answer: SessionDescription, to offer: SessionDescription) throws(NegotiationError) -> NegotiatedAudio {
        guard answer.media.count == offer.media.count else {
            throw NegotiationError("answer has \(answer.media.count) media lines for \(offer.media.count) offered (RFC 3264 §6)")
        }
        guard let index = offer.media.firstIndex(where: { $0.media == "audio" && !$0.isRejected }) else {
            throw NegotiationError("no audio stream offered")
        }
        let ours = offer.media[index], theirs = answer.media[index]
        guard !theirs.isRejected else { throw NegotiationError("the audio stream was rejected (port 0)") }
        let offered = ours.formats.compactMap { Int($0) }.compactMap { ours.rtpMap($0).flatMap(AudioCodec.init) }
        guard let (codec, pt) = firstCommonCodec(in: theirs, preferring: nil, allowed: offered) else {
            throw NegotiationError("the answer has none of the offered codecs")
        }
        guard let connection = answer.connection(of: theirs) else { throw NegotiationError("the answer's audio stream has no c= line") }
        let remote = connection.isHoldAddress ? SDPDirection(sends: theirs.direction.sends, receives: false) : theirs.direction
        let direction = SDPDirection(sends: ours.direction.sends && remote.receives, receives: ours.direction.receives && remote.sends)
        var negotiated = NegotiatedAudio(codec: codec, payloadType: pt, telephoneEvent: telephoneEvent(in: theirs, clockRate: codec.clockRate),
                                         remoteAddress: connection.address, remotePort: theirs.port, remoteRTCPPort: rtcpPort(of: theirs),
                                         rtcpMux: theirs.rtcpMux && ours.rtcpMux, ptime: theirs.ptime ?? ours.ptime ?? 20,
                                         direction: direction, mediaIndex: index,
                                         maxPlaybackRate: codec == .opus ? theirs.opusMaxPlaybackRate(of: pt) : nil)
        negotiated.srtp = try acceptedSRTP(theirs, to: ours)
        return negotiated
    }

    /// How an answer treats an offered RTP stream's security (RFC 4568 §7.1.2).
    enum StreamSecurity {
        case plain
        /// SRTP with the offer's key; the answer's `a=crypto` (the offer's tag and suite, this side's key).
        case keyed(NegotiatedSRTP, SDPAttribute)
        case refused(String)

        var accepted: Bool {
            if case .refused = self { return false }
            return true
        }
    }

    /// SRTP with the first offered `a=crypto` both sides speak (on `RTP/SAVP`, or best effort
    /// on `RTP/AVP`), else plain RTP unless the offer or this side requires SRTP.
    static func secure(_ m: MediaDescription, with keys: SDESKeys?) -> StreamSecurity {
        if let keys {
            for (crypto, suite) in m.usableCrypto {
                guard let mine = keys.material(for: suite) else { continue }
                let answer = SDESCrypto(tag: crypto.tag, suite: suite, keys: [SDESCrypto.Key(material: mine)])
                return .keyed(NegotiatedSRTP(suite: suite, sendKey: mine, receiveKey: crypto.keys[0].material), answer.attribute)
            }
        }
        if m.isSecureRTP {
            return .refused(keys == nil ? "the offer asks for SRTP (\(m.proto)) and SRTP is off here"
                                        : "no a=crypto line of the SRTP offer has a suite sipdial speaks (\(SDESKeys.preferredSuites.map(\.rawValue).joined(separator: ", ")))")
        }
        if keys?.required == true { return .refused("SRTP is required and the offer is plain RTP (no usable a=crypto)") }
        return .plain
    }

    /// The SRTP an answer agreed to for sipdial's offered stream `ours`: the answer's
    /// `a=crypto` names the tag and suite of one of the offer's (RFC 4568 §7.1.3); no
    /// `a=crypto` declines best-effort SRTP, and fails an `RTP/SAVP` offer.
    static func acceptedSRTP(_ theirs: MediaDescription, to ours: MediaDescription) throws(NegotiationError) -> NegotiatedSRTP? {
        let offered = SDESCrypto.all(in: ours)
        guard !offered.isEmpty else { return nil }
        let answered = SDESCrypto.all(in: theirs)
        guard let crypto = answered.first else {
            if ours.isSecureRTP { throw NegotiationError("the answer has no a=crypto for the SRTP offer (RFC 4568 §7.1.3)") }
            return nil
        }
        guard let suite = crypto.suite, crypto.keys.count == 1, crypto.keys[0].mki == nil,
              let mine = offered.first(where: { $0.tag == crypto.tag }), mine.suite == suite, mine.keys.count == 1 else {
            throw NegotiationError("the answer's a=crypto (tag \(crypto.tag), \(crypto.suiteName)) is none of those offered")
        }
        return NegotiatedSRTP(suite: suite, sendKey: mine.keys[0].material, receiveKey: crypto.keys[0].material)
    }

    /// The codec to use and its payload type in `m`: with `preferring`, the first of those
    /// codecs that `m` lists; otherwise the first format of `m` that is in `allowed`.
    static func firstCommonCodec(in m: MediaDescription, preferring: [AudioCodec]?, allowed: [AudioCodec] = AudioCodec.allCases) -> (AudioCodec, Int)? {
        let listed: [(AudioCodec, Int)] = m.formats.compactMap { f in
            guard let pt = Int(f), let codec = m.rtpMap(pt).flatMap(AudioCodec.init) else { return nil }
            return (codec, pt)
        }
        if let preferring {
            for codec in preferring { if let hit = listed.first(where: { $0.0 == codec }) { return hit } }
            return nil
        }
        return listed.first { allowed.contains($0.0) }
    }

    /// The telephone-event format of `m` at `clockRate`, else at any rate.
    static func telephoneEvent(in m: MediaDescription, clockRate: Int) -> RTPMapEntry? {
        let events = m.formats.compactMap { Int($0) }.compactMap { m.rtpMap($0) }.filter { $0.encoding.lowercased() == "telephone-event" }
        return events.first { $0.clockRate == clockRate } ?? events.first
    }

    static func rtcpPort(of m: MediaDescription) -> Int {
        m.rtcpMux ? m.port : (m.rtcpPort ?? m.port + 1)
    }
}
