import Foundation
import NIOCore
import NIOPosix
import RTP
import SRTP

/// One call's audio over RTP (RFC 3550), the stream side of an `RTPTransport`: each clock
/// tick it pulls a frame from its source, encodes it with G.711 or Opus and hands it to the
/// transport, then reads what arrived since the last tick: each packet is checked, counted and
/// kept for playout at the position its timestamp gives; the codec, jitter buffer, received
/// timeline, DTMF, recording monitors, statistics and RTP timeout are the stream's.
///
/// All state, the transport included, is confined to `eventLoop`.
public final class RTPAudioStream: @unchecked Sendable {
    public let eventLoop: EventLoop
    let transport: RTPTransport
    var rtcp: RTCPSession
    /// When the next RTCP report goes out (RFC 3550 §6.2), while the stream runs.
    var nextReport: NIODeadline?
    var sentSinceReport = false
    private let clock: MediaClock
    var parameters: RTPStreamParameters?
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

    /// A stream on a transport bound on `host` (`RTPTransport.bind`), for the next event loop
    /// of `group`.
    public static func bind(host: String, ports: RTPPortAllocator, group: EventLoopGroup) throws -> RTPAudioStream {
        RTPAudioStream(transport: try RTPTransport.bind(host: host, ports: ports), host: host, clock: MediaClock.of(group.next()))
    }

    init(transport: RTPTransport, host: String, clock: MediaClock) {
        self.transport = transport
        self.clock = clock
        self.eventLoop = clock.eventLoop
        let ssrc = UInt32.random(in: 1...UInt32.max)
        self.ssrc = ssrc
        self.rtcp = RTCPSession(ssrc: ssrc, cname: "sipdial@\(host)")
    }

    public var localPort: Int { transport.localPort }

    /// Where `parameters` sends RTP and RTCP.
    private static func destination(_ parameters: RTPStreamParameters) throws -> RTPTransport.Destination {
        try RTPTransport.Destination(address: parameters.remoteAddress, rtpPort: parameters.remotePort, rtcpPort: parameters.remoteRTCPPort,
                                     rtcpMux: parameters.rtcpMux)
    }

    /// Starts sending `source` (silence when nil) and receiving into `sink`.
    /// `onSourceFinished` runs once on the event loop when the source has no more audio.
    public func start(_ parameters: RTPStreamParameters, source: AudioSource?, sink: AudioSink?,
                      onSourceFinished: (() -> Void)? = nil) throws {
        let destination = try Self.destination(parameters)
        let codec = try AudioPayloadCodec(parameters.encoding, maxPlaybackRate: parameters.maxPlaybackRate)
        let crypto = try parameters.srtp.map(SRTPStreamCrypto.init)
        eventLoop.execute {
            self.parameters = parameters
            self.codec = codec
            self.transport.secure(with: crypto)
            self.timeEvents(for: parameters.encoding)
            self.resetPlayout(for: parameters.encoding)
            self.transport.send(to: destination)
            self.source = source
            self.sink = sink
            self.adaptPorts()
            self.sourceFinished = onSourceFinished
            self.lastReceived = .now
            self.statistics.remote = destination.text
            self.clock.add(self)
            self.nextReport = self.nextReportTime(after: self.clock.eventLoop.now)
        }
    }

    /// Changes where and how the stream sends (a re-INVITE's new offer: address, codec, hold
    /// or resume); the source, sink and sequence numbering carry on.
    public func update(_ parameters: RTPStreamParameters) throws {
        let destination = try Self.destination(parameters)
        let newCodec = try self.parameters?.encoding == parameters.encoding ? nil
            : AudioPayloadCodec(parameters.encoding, maxPlaybackRate: parameters.maxPlaybackRate)
        // New libsrtp2 sessions only when the keys changed (most re-offers keep them).
        let rekeyed = self.parameters?.srtp != parameters.srtp
        let crypto = rekeyed ? try parameters.srtp.map(SRTPStreamCrypto.init) : nil
        eventLoop.execute {
            guard self.parameters != nil else { return }
            let oldRate = self.sampleRate
            self.parameters = parameters
            self.transport.send(to: destination)
            if rekeyed { self.transport.secure(with: crypto) }
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
            self.statistics.remote = destination.text
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
            if self.parameters != nil { self.transport.sendRTCP(self.rtcp.makeBye(reason: "call ended")) }
            self.parameters = nil
            self.transport.close()
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
        s.srtp = transport.srtpSuite?.rawValue
        s.packetsDropped += transport.srtpRefused
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
        guard let parameters, transport.hasRemote else { return }
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
                if transport.sendRTP(UnsafeRawBufferPointer(out)) {
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
            if transport.sendRTP(UnsafeRawBufferPointer(rebasing: out[..<(12 + payloadBytes)])) {
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

    /// Reads what arrived on the RTP port since the last tick.
    func receiveWaiting(into batch: DatagramBatch) {
        eventLoop.assertInEventLoop()
        transport.receiveRTP(into: batch, rtp: { bytes, source, arrival in receive(bytes, from: source, arrival: arrival) },
                             rtcp: { bytes, arrival in receiveRTCP(bytes, arrival: arrival) })
    }

    /// One RTP packet, which arrived at `arrival` (CLOCK_REALTIME ns).
    func receive(_ bytes: UnsafeRawBufferPointer, from source: DatagramPeer, arrival arrivalNanoseconds: Int64) {
        guard let parameters else { return }
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
        if !transport.isLatched, transport.latch(to: source) { statistics.remote = source.text }
    }
}

/// Two sinks handed to the stream's event loop, which alone writes to them from then on.
private struct UncheckedMonitors: @unchecked Sendable {
    var sent: AudioSink?
    var received: AudioSink?
}
