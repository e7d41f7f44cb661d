import Foundation
import NIOCore
import NIOPosix
import RTP

/// Figures of one RTP stream, kept for the call's result and CDR (RFC 3550 §6.4).
public struct RTPStreamStatistics: Sendable, Equatable, Codable {
    public var packetsSent: UInt64 = 0
    public var octetsSent: UInt64 = 0
    public var packetsReceived: UInt64 = 0
    public var octetsReceived: UInt64 = 0
    public var packetsLost: Int64 = 0
    public var jitterMilliseconds: Double = 0
    /// Datagrams that were not valid RTP, or RTP of another payload type or source.
    public var packetsDropped: UInt64 = 0
    /// The address RTP was sent to after symmetric-RTP latching, as "ip:port".
    public var remote: String?
    public var rtcpSent = 0
    public var rtcpReceived = 0
    /// Round-trip time from the peer's last report about this stream (RFC 3550 §6.4.1).
    public var rttMilliseconds: Double?

    public init() {}
}

/// How a negotiated stream sends: payload type, encoding, and where.
public struct RTPStreamParameters: Sendable {
    public var remoteAddress: String
    public var remotePort: Int
    public var payloadType: UInt8
    public var encoding: RTPAudioEncoding
    /// The peer's RFC 4733 telephone-event payload type (8 kHz), when negotiated.
    public var telephoneEventPayloadType: UInt8?
    /// Seconds without a received packet before `onTimeout` fires (0 = never).
    public var timeout: Double
    /// Where RTCP goes: the peer's RTCP port, or its RTP port with rtcp-mux (RFC 5761).
    public var remoteRTCPPort: Int
    public var rtcpMux: Bool
    /// Mean seconds between reports; each interval is randomized 0.5-1.5× (RFC 3550 §6.3).
    public var rtcpInterval: Double
    /// False while the peer holds the call (it does not want audio): nothing is sent, the
    /// timeline still advances.
    public var sends = true
    /// With Opus, the peer's `maxplaybackrate` (RFC 7587 §6.1), which caps the encoded bandwidth.
    public var maxPlaybackRate: Int?

    public init(remoteAddress: String, remotePort: Int, payloadType: UInt8, encoding: RTPAudioEncoding,
                telephoneEventPayloadType: UInt8? = nil, timeout: Double = 30,
                remoteRTCPPort: Int? = nil, rtcpMux: Bool = false, rtcpInterval: Double = 5) {
        self.remoteRTCPPort = rtcpMux ? remotePort : (remoteRTCPPort ?? remotePort + 1)
        self.rtcpMux = rtcpMux
        self.rtcpInterval = rtcpInterval
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.payloadType = payloadType
        self.encoding = encoding
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.timeout = timeout
    }
}

/// One call's audio over RTP (RFC 3550) on a UDP socket: each clock tick it pulls a frame
/// from its source, encodes it with G.711 or Opus and sends it, then reads what arrived since
/// the last tick: each packet is checked, counted and kept for playout at the position its
/// timestamp gives. Symmetric RTP: sending follows the source of the first valid packet
/// received (for peers behind NAT).
///
/// All state, the sockets included, is confined to `eventLoop`.
public final class RTPAudioStream: @unchecked Sendable {
    public let eventLoop: EventLoop
    let rtpSocket: DatagramSocket
    let rtcpSocket: DatagramSocket
    var rtcp: RTCPSession
    var rtcpRemote: DatagramPeer?
    /// When the next RTCP report goes out (RFC 3550 §6.2), while the stream runs.
    var nextReport: NIODeadline?
    var sentSinceReport = false
    private let clock: MediaClock
    var parameters: RTPStreamParameters?
    var remote: DatagramPeer?
    var latched = false
    /// The ports below are kept converted to `sampleRate` (`adapted`), and converted again
    /// when a re-INVITE changes the codec's rate.
    private var source: AudioSource?
    /// Audio sent instead of `source` until it ends (in-band DTMF tones).
    private var overlay: AudioSource?
    private var sink: AudioSink?
    /// Copies of what is sent and received while set: a recording started mid-call.
    private var sentMonitor: AudioSink?
    private var receivedMonitor: AudioSink?
    /// Where this stream's frames are pulled when they are not the clock's 8 kHz size.
    private var ownFrame: [Int16] = []
    /// Samples sent since the stream started, whatever the source: the sent monitor's timeline.
    private var sentPosition = 0
    private let ssrc: UInt32
    private var sequence = UInt16.random(in: 0...UInt16.max)
    var timestamp = UInt32.random(in: 0...UInt32.max)
    var reception: RTPReceptionStatistics?
    private var firstTimestamp: UInt32?
    /// Where received audio's timeline stood when the codec last changed, and where the
    /// last frame played ended (both in samples at the stream's rate): a codec at another
    /// RTP clock or rate carries the timeline on instead of restarting it.
    private var positionBase = 0
    private var playedUntil = 0
    var statistics = RTPStreamStatistics()
    private var lastReceived = ContinuousClock.now
    private var timeoutFired = false
    private var sourceFinished: (() -> Void)?
    public var onTimeout: (() -> Void)?
    /// Called on the event loop for each DTMF digit received as telephone-events (RFC 4733).
    public var onDigit: ((ReceivedDigit) -> Void)?
    var codec: AudioPayloadCodec?
    /// Received audio waiting for its turn (adaptive depth, reordering, loss).
    var playoutBuffer = JitterBuffer<PayloadPool.Slot>()
    /// Where the payloads in `playoutBuffer` are kept (allocated once per stream, at start).
    private var payloads = PayloadPool(slots: 0)
    private var events = TelephoneEventReceiver(clockRate: AudioFormat.sampleRate)
    private var outgoingEvents = TelephoneEventSender()
    /// When the stream was made, on the kernel's receive-timestamp clock: arrival times
    /// (jitter, RFC 3550 A.8; digit durations) count from here.
    private let startedNanoseconds = DatagramBatch.realtimeNanoseconds()

    /// Binds RTP on an even port from `ports` and RTCP on the port above it, on `host`, for
    /// the next event loop of `group`; a pair that is taken is skipped.
    public static func bind(host: String, ports: RTPPortAllocator, group: EventLoopGroup) throws -> RTPAudioStream {
        let loop = group.next()
        var lastError: Error?
        for _ in 0..<min(ports.pairCount, 64) {
            let port = ports.candidate()
            do {
                let rtp = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: port))
                do {
                    let rtcp = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: port + 1))
                    return RTPAudioStream(rtpSocket: rtp, rtcpSocket: rtcp, host: host, clock: MediaClock.of(loop))
                } catch {
                    rtp.close()
                    lastError = error
                }
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChannelError.unknownLocalAddress
    }

    init(rtpSocket: DatagramSocket, rtcpSocket: DatagramSocket, host: String, clock: MediaClock) {
        self.rtpSocket = rtpSocket
        self.rtcpSocket = rtcpSocket
        self.clock = clock
        self.eventLoop = clock.eventLoop
        let ssrc = UInt32.random(in: 1...UInt32.max)
        self.ssrc = ssrc
        self.rtcp = RTCPSession(ssrc: ssrc, cname: "sipdial@\(host)")
    }

    public var localPort: Int { rtpSocket.localPort }

    /// Where `parameters` sends RTP and RTCP (a numeric address: it comes from SDP).
    private static func peers(_ parameters: RTPStreamParameters) throws -> (rtp: DatagramPeer, rtcp: DatagramPeer) {
        (try DatagramPeer(SocketAddress(ipAddress: parameters.remoteAddress, port: parameters.remotePort)),
         try DatagramPeer(SocketAddress(ipAddress: parameters.remoteAddress, port: parameters.remoteRTCPPort)))
    }

    /// Starts sending `source` (silence when nil) and receiving into `sink`.
    /// `onSourceFinished` runs once on the event loop when the source has no more audio.
    public func start(_ parameters: RTPStreamParameters, source: AudioSource?, sink: AudioSink?,
                      onSourceFinished: (() -> Void)? = nil) throws {
        let (remote, rtcpRemote) = try Self.peers(parameters)
        let codec = try AudioPayloadCodec(parameters.encoding, maxPlaybackRate: parameters.maxPlaybackRate)
        eventLoop.execute {
            self.parameters = parameters
            self.codec = codec
            self.timeEvents(for: parameters.encoding)
            self.resetPlayout(for: parameters.encoding)
            self.remote = remote
            self.source = source
            self.sink = sink
            self.adaptPorts()
            self.sourceFinished = onSourceFinished
            self.lastReceived = .now
            self.statistics.remote = "\(parameters.remoteAddress):\(parameters.remotePort)"
            self.rtcpRemote = rtcpRemote
            self.clock.add(self)
            self.nextReport = self.nextReportTime(after: self.clock.eventLoop.now)
        }
    }

    /// Changes where and how the stream sends (a re-INVITE's new offer: address, codec, hold
    /// or resume); the source, sink and sequence numbering carry on.
    public func update(_ parameters: RTPStreamParameters) throws {
        let (remote, rtcpRemote) = try Self.peers(parameters)
        let newCodec = try self.parameters?.encoding == parameters.encoding ? nil
            : AudioPayloadCodec(parameters.encoding, maxPlaybackRate: parameters.maxPlaybackRate)
        eventLoop.execute {
            guard self.parameters != nil else { return }
            let oldRate = self.sampleRate
            self.parameters = parameters
            // A new address in the offer wins over the latched one until packets come from it.
            self.remote = remote
            self.latched = false
            self.rtpSocket.disconnect()
            self.rtcpRemote = rtcpRemote
            if let newCodec {
                self.codec = newCodec
                self.timeEvents(for: parameters.encoding)
                self.resetPlayout(for: parameters.encoding)
                self.adaptPorts()
                // Both timelines go on at the new rate; received timestamps count from the
                // new codec's first packet.
                let newRate = self.sampleRate
                self.sentPosition = self.sentPosition * newRate / oldRate
                self.positionBase = self.playedUntil * newRate / oldRate
                self.firstTimestamp = nil
            }
            self.statistics.remote = "\(parameters.remoteAddress):\(parameters.remotePort)"
        }
    }

    /// Starts sending `source` in place of the current one (the prompt once an early-media
    /// call is answered); `onFinished` runs once on the event loop when it has no more audio.
    public func play(_ source: AudioSource?, onFinished: (() -> Void)? = nil) {
        eventLoop.execute {
            self.source = source?.adapted(to: self.sampleRate)
            self.sourceFinished = onFinished
        }
    }

    /// Received audio goes to `sink` from now on, in place of the one given to `start`.
    public func setSink(_ sink: AudioSink?) {
        eventLoop.execute { self.sink = sink?.adapted(from: self.sampleRate) }
    }

    /// From now on a copy of each frame sent goes to `sent` and of the audio received to
    /// `received` (nil stops them); returns once they are in place, so that after
    /// `setMonitors(sent: nil, received: nil)` returns nothing more is written to the old ones.
    public func setMonitors(sent: AudioSink?, received: AudioSink?) async throws {
        let monitors = UncheckedMonitors(sent: sent, received: received)
        try await eventLoop.submit {
            self.sentMonitor = monitors.sent?.adapted(from: self.sampleRate)
            self.receivedMonitor = monitors.received?.adapted(from: self.sampleRate)
        }.get()
    }

    /// Sends DTMF as tones in the audio, in place of the source until they end (the source
    /// resumes where it paused).
    public func sendInbandDigits(_ digits: String) {
        eventLoop.execute { self.overlay = DTMFToneGenerator(digits: digits).adapted(to: self.sampleRate) }
    }

    /// Queues DTMF digits to send as telephone-events (RFC 4733); ignored when the peer did
    /// not accept telephone-events.
    public func sendDigits(_ digits: String) {
        eventLoop.execute { self.outgoingEvents.send(digits) }
    }

    /// Stops the stream; returns its figures and the digits received, with their final durations.
    public func stop() async throws -> (RTPStreamStatistics, [ReceivedDigit]) {
        let summary = try await eventLoop.submit { () -> (RTPStreamStatistics, [ReceivedDigit]) in
            self.clock.remove(self)
            self.nextReport = nil
            if self.parameters != nil { self.sendRTCP(self.rtcp.makeBye(reason: "call ended")) }
            self.parameters = nil
            self.rtpSocket.close()
            self.rtcpSocket.close()
            return (self.currentStatistics(), self.events.digits)
        }.get()
        return summary
    }

    private func currentStatistics() -> RTPStreamStatistics {
        var s = statistics
        if let r = reception {
            s.packetsReceived = r.packetsReceived
            s.octetsReceived = r.octetsReceived
            s.packetsLost = max(0, r.cumulativeLost)
            s.jitterMilliseconds = (r.jitterMilliseconds * 100).rounded() / 100
        }
        s.rtcpSent = rtcp.reportsSent
        s.rtcpReceived = rtcp.reportsReceived
        s.rttMilliseconds = rtcp.roundTripTime.map { ($0 * 10_000).rounded() / 10 }
        return s
    }

    /// The rate of the stream's audio: its codec's (8 kHz until it starts).
    private var sampleRate: Int { parameters?.encoding.sampleRate ?? AudioFormat.sampleRate }

    /// Converts the source, overlay, sink and monitors to the stream's rate where they differ,
    /// and sizes the stream's own frame (on the event loop, at start and when the codec changes).
    private func adaptPorts() {
        let rate = sampleRate
        source = source?.adapted(to: rate)
        overlay = overlay?.adapted(to: rate)
        sink = sink?.adapted(from: rate)
        sentMonitor = sentMonitor?.adapted(from: rate)
        receivedMonitor = receivedMonitor?.adapted(from: rate)
        let frameSamples = AudioFormat.frameSamples(at: rate)
        ownFrame = frameSamples == AudioFormat.frameSamples ? [] : Array(repeating: 0, count: frameSamples)
    }

    // MARK: Clock side

    /// Sends this tick's frame, pulled from the source into `scratch` (the clock's 8 kHz
    /// frame, shared by its streams so it stays in cache) or, at another rate, into the
    /// stream's own frame.
    func sendFrame(using scratch: inout [Int16]) {
        eventLoop.assertInEventLoop()
        if ownFrame.isEmpty {
            send(&scratch)
        } else {
            var frame = ownFrame
            ownFrame = []
            send(&frame)
            ownFrame = frame
        }
    }

    private func send(_ frame: inout [Int16]) {
        guard let parameters, let remote else { return }
        defer {
            timestamp &+= UInt32(frame.count * parameters.encoding.timestampsPerSample)
            checkTimeout()
        }
        if let overlay {
            if !overlay.read(into: &frame) { self.overlay = nil }
        } else if let source {
            if !source.read(into: &frame) {
                self.source = nil
                let done = sourceFinished
                sourceFinished = nil
                done?()
            }
        } else {
            for i in frame.indices { frame[i] = 0 }
        }
        if let sentMonitor { frame.withUnsafeBufferPointer { sentMonitor.write($0, at: sentPosition) } }
        sentPosition += frame.count
        guard parameters.sends else { return }
        if let eventType = parameters.telephoneEventPayloadType, let event = outgoingEvents.next(timestamp: timestamp) {
            // The event replaces this tick's audio (RFC 4733 §2.5.1), same SSRC and sequence space.
            let header = RTPHeader(marker: event.marker, payloadType: eventType, sequenceNumber: sequence, timestamp: event.timestamp, ssrc: ssrc)
            withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { out in
                header.writeFixedHeader(into: out)
                event.payload.write(into: UnsafeMutableRawBufferPointer(rebasing: out[12...]))
                if rtpSocket.send(UnsafeRawBufferPointer(out), to: remote) {
                    statistics.packetsSent += 1
                    statistics.octetsSent += 4
                }
            }
            sequence &+= 1
            return
        }
        guard let codec else { return }
        let header = RTPHeader(payloadType: parameters.payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc)
        withUnsafeTemporaryAllocation(byteCount: 12 + codec.maxPayloadBytes, alignment: 8) { out in
            header.writeFixedHeader(into: out)
            let payloadBytes = frame.withUnsafeBufferPointer { codec.encode($0, into: UnsafeMutableRawBufferPointer(rebasing: out[12...])) }
            guard payloadBytes > 0 else { return }
            sentSinceReport = true
            sequence &+= 1
            if rtpSocket.send(UnsafeRawBufferPointer(rebasing: out[..<(12 + payloadBytes)]), to: remote) {
                statistics.packetsSent += 1
                statistics.octetsSent += UInt64(payloadBytes)
            }
        }
    }

    /// Telephone-events count in the audio's RTP clock (RFC 4733 §2.3; 48 kHz next to Opus):
    /// a tick is 20 ms of it, a tone 100 ms.
    private func timeEvents(for encoding: RTPAudioEncoding) {
        let clockRate = encoding.clockRate
        events.clockRate = clockRate
        outgoingEvents.retime(samplesPerTick: UInt16(clockRate / 50), toneSamples: UInt16(clockRate / 10))
    }

    /// An empty jitter buffer (and its payload slots) counting in `encoding`'s RTP clock.
    private func resetPlayout(for encoding: RTPAudioEncoding) {
        playoutBuffer = JitterBuffer(frameUnits: UInt32(encoding.clockRate / 50))
        payloads = PayloadPool(slots: playoutBuffer.capacity + 1)
    }

    /// Plays one tick's time out of the jitter buffer into the sink: each packet that starts
    /// within it, decoded (a packet longer than a frame covers the ticks after it), or a
    /// concealed substitute for the time no packet covers.
    func playFrame() {
        eventLoop.assertInEventLoop()
        guard let codec, sink != nil || receivedMonitor != nil else { return }
        switch playoutBuffer.next() {
        case .idle, .covered:
            return
        case .missing(let timestamp, let units):
            let samples = Int(units / UInt32(codec.encoding.timestampsPerSample))
            // With Opus, the packet after the gap may carry a copy of what was lost (FEC).
            let next = codec.encoding == .opus ? playoutBuffer.peek(at: timestamp &+ units) : nil
            play(at: timestamp, codec: codec) { out in
                guard let next else { return codec.conceal(samples, into: out) }
                return payloads.withBytes(next) { codec.conceal(samples, next: $0, into: out) }
            }
        case .frame(let slot, let timestamp):
            play(slot, at: timestamp, codec: codec)
            while let (slot, timestamp) = playoutBuffer.nextDue() { play(slot, at: timestamp, codec: codec) }
        }
    }

    /// Decodes a packet's payload (and frees its slot) into the sink at `timestamp`'s place.
    private func play(_ slot: PayloadPool.Slot, at timestamp: UInt32, codec: AudioPayloadCodec) {
        play(at: timestamp, codec: codec) { out in
            defer { payloads.release(slot) }
            return payloads.withBytes(slot) { codec.decode($0, into: out) }
        }
    }

    /// Writes the samples `produce` puts in a scratch buffer to the sink and the received
    /// monitor, at the place `timestamp` has on the received timeline.
    private func play(at timestamp: UInt32, codec: AudioPayloadCodec, _ produce: (UnsafeMutableBufferPointer<Int16>) -> Int) {
        let first = firstTimestamp ?? timestamp
        firstTimestamp = first
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: codec.maxDecodedSamples) { out in
            let n = produce(out)
            guard n > 0 else { return }
            let position = positionBase + Int(timestamp &- first) / codec.encoding.timestampsPerSample
            playedUntil = position + n
            let samples = UnsafeBufferPointer(rebasing: out[..<n])
            sink?.write(samples, at: position)
            receivedMonitor?.write(samples, at: position)
        }
    }

    private func checkTimeout() {
        guard let parameters, parameters.timeout > 0, !timeoutFired else { return }
        if ContinuousClock.now - lastReceived > .milliseconds(Int64(parameters.timeout * 1000)) {
            timeoutFired = true
            onTimeout?()
        }
    }

    // MARK: Receive side

    /// Reads what arrived on the RTP socket since the last tick.
    func receiveWaiting(into batch: DatagramBatch) {
        eventLoop.assertInEventLoop()
        rtpSocket.receiveWaiting(into: batch) { bytes, source, arrival in receive(bytes, from: source, arrival: arrival) }
    }

    /// One datagram from the RTP socket, which arrived at `arrival` (CLOCK_REALTIME ns).
    func receive(_ bytes: UnsafeRawBufferPointer, from source: DatagramPeer, arrival arrivalNanoseconds: Int64) {
        guard let parameters else { return }
        // RFC 5761 §4: with rtcp-mux, payload types 200-204 on the RTP port are RTCP.
        if parameters.rtcpMux, bytes.count > 1, (200...204).contains(bytes[1]) {
            return receiveRTCP(bytes, arrival: arrivalNanoseconds)
        }
        let arrival = Double(arrivalNanoseconds - startedNanoseconds) / 1e9
        guard let (header, range) = try? RTPHeader.parse(bytes),
              header.payloadType == parameters.payloadType || header.payloadType == parameters.telephoneEventPayloadType else {
            statistics.packetsDropped += 1
            return
        }
        if reception == nil {
            reception = RTPReceptionStatistics(ssrc: header.ssrc, firstSequence: header.sequenceNumber, clockRate: parameters.encoding.clockRate)
        }
        guard reception?.ssrc == header.ssrc else {
            statistics.packetsDropped += 1
            return
        }
        reception?.record(sequence: header.sequenceNumber, timestamp: header.timestamp, payloadOctets: range.count, arrival: arrival)
        if header.payloadType != parameters.payloadType {
            if let event = TelephoneEventPayload(UnsafeRawBufferPointer(rebasing: bytes[range])),
               let digit = events.handle(event, timestamp: header.timestamp, arrival: arrival) {
                onDigit?(digit)
            }
        } else if sink != nil || receivedMonitor != nil {
            let payload = UnsafeRawBufferPointer(rebasing: bytes[range])
            if let slot = payloads.store(payload),
               let refused = playoutBuffer.insert(slot, timestamp: header.timestamp, duration: codec?.rtpUnits(of: payload)) {
                payloads.release(refused)
            }
            if let jitter = reception?.jitter { playoutBuffer.adapt(toJitter: jitter) }
        }
        lastReceived = .now
        if !latched {
            // Symmetric RTP: send where the peer sends from, and from now on take RTP from
            // there only (the socket is connected; a re-offer reopens it).
            latched = true
            rtpSocket.connect(to: source)
            if source != remote {
                remote = source
                statistics.remote = source.text
            }
        }
    }
}

/// Two sinks handed to the stream's event loop, which alone writes to them from then on.
private struct UncheckedMonitors: @unchecked Sendable {
    var sent: AudioSink?
    var received: AudioSink?
}
