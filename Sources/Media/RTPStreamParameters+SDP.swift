import SDP

extension RTPAudioEncoding {
    /// How a stream carries `codec`.
    public init(_ codec: AudioCodec) {
        switch codec {
        case .pcmu: self = .pcmu
        case .pcma: self = .pcma
        case .opus: self = .opus
        }
    }
}

/// What an RTP stream needs from an offer/answer's result (RFC 3264).
extension NegotiatedAudio {
    public var encoding: RTPAudioEncoding { RTPAudioEncoding(codec) }

    /// The telephone-event payload type, when it shares the audio's RTP clock (it must, to be
    /// sent and read in step, RFC 4733 §2.3).
    public var eventPayloadType: UInt8? {
        telephoneEvent.flatMap { $0.clockRate == encoding.clockRate ? UInt8($0.payloadType) : nil }
    }

    /// The stream's parameters: where to send, which codec, hold or not. `telephoneEvents`:
    /// whether DTMF travels as RFC 4733 events (false: tones in the audio).
    public func streamParameters(timeout: Double, telephoneEvents: Bool = true) -> RTPStreamParameters {
        var parameters = RTPStreamParameters(remoteAddress: remoteAddress, remotePort: remotePort,
                                             payloadType: UInt8(payloadType), encoding: encoding,
                                             telephoneEventPayloadType: telephoneEvents ? eventPayloadType : nil, timeout: timeout,
                                             remoteRTCPPort: remoteRTCPPort, rtcpMux: rtcpMux)
        parameters.sends = direction.sends
        parameters.maxPlaybackRate = maxPlaybackRate
        parameters.srtp = srtp
        return parameters
    }
}
