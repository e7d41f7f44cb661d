import DialerStore
import Fax
import Foundation
import Logging
import Media
import NIOCore
import RTP
import SDP
import SIPCore
import SIPTransport
import SIPUserAgent

/// Places one call and runs its flow once answered: INVITE through the plan's trunk, early
/// media, the answer's audio, the verbs, the hang-up, the figures for the CDR. `onCallID`
/// gets the INVITE's Call-ID before the INVITE leaves (the attempt row records it).
public final class CallAttempt: @unchecked Sendable {
    enum Signal: Sendable {
        case call(CallEvent)
        case digit(ReceivedDigit)
        case played(Int)
        case timer(Int)
        case mediaTimeout
        /// From outside the call: the API or a shutdown.
        case command(Command)
        /// An attended transfer's second call: placed, its events, or it could not leave.
        case consultationPlaced(Consultation)
        case consultation(CallEvent)
        case consultationFailed(String)
        /// The second call ended without being bridged.
        case secondCallOver
        /// The answering-machine detector's verdict, revision, beep or greeting's end.
        case amd(AMDEvent)
        /// What the detector heard in early media, before the answer.
        case earlyAMD(AMDEvent)
        /// What a fax verb's media loops report (far-end tones, T.30's result).
        case fax(FaxCall.Report)
    }

    /// What the API may ask of a call in progress.
    public enum Command: Sendable {
        case hangUp
        case sendDigits(String)
        case transfer(String)
        /// Answered with the recording's path, or a `CallControlError`.
        case startRecording(CheckedContinuation<String, Error>)
        case stopRecording(CheckedContinuation<String, Error>)
        /// Answered once the second call is placed.
        case attendedTransfer(String, CheckedContinuation<Void, Error>)
    }

    let plan: CallPlan
    let context: CallContext
    /// The call's signals; `nextSignal` is their one reader.
    let signals: CallSignals<Signal>
    var call: OutboundCall?
    /// The call a peer placed, for a flow answering it (`answer(_:)`).
    var inbound: InboundCall?
    var media: CallMedia?
    /// The address the call's media binds to and its SDP carries.
    var mediaHost = "127.0.0.1"
    /// The audio the answer negotiated, once the media started.
    var audio: NegotiatedAudio?
    /// Where the flow's recording goes, when it records.
    var recordPath: String?
    /// Where a recording started through the API goes (both directions, two channels).
    var apiRecordingPath: String?
    var record: CallRecord
    var ended = false
    var nextToken = 0
    /// Reads the answer's SDP (early media's too) into the audio to start.
    var negotiate: ([UInt8]) -> NegotiatedAudio? = { _ in nil }
    /// The audio of early media, kept for an answer without SDP.
    var earlyAudio: NegotiatedAudio?
    /// Sees the call's events (ringing, answered ...) as they are taken.
    var onEvent: @Sendable (CallEvent) -> Void = { _ in }
    /// Sees the answering-machine detector's verdict, and its revision (`revised` true).
    public var onVerdict: @Sendable (_ result: AMDResult, _ revised: Bool) -> Void = { _, _ in }
    /// Sees the result of each fax a flow sent or received.
    public var onFax: @Sendable (FaxResult) -> Void = { _ in }
    /// Digits received and not yet taken by a gather.
    var pendingDigits: [Character] = []
    /// A second call (attended transfer or `dial`): where it is, what it is for, and whether
    /// it is crossed with this one.
    var secondCall: SecondCall?
    var secondCallPurpose = SecondCallPurpose.transfer
    /// The task resolving and placing the second call; awaited before the call's record is done.
    var secondCallSetup: Task<Void, Never>?
    var bridged = false
    /// The flow has run to its end (the call waits for a transfer under way).
    var flowFinished = false
    /// Answering-machine detection, once a verb started it.
    var amd: AMDState?
    /// Whether the detector listens to early media for a special information tone.
    var earlyDetection = false
    /// While a person's verbs run after `amd`: a revised verdict (a machine after all) stops
    /// them, and `interruptedByRevision` says so to the `amd` verb, which runs the machine's.
    var interruptOnRevision = false
    var interruptedByRevision = false
    /// An inbound call answered on T.38 (its INVITE offered T.38 and no usable audio, to a
    /// flow that begins with `receive_fax`): the fax, its stream and its file, taken by that verb.
    var faxAnsweredOnT38: (fax: FaxCall, stream: T38Stream, file: String)?

    public init(plan: CallPlan, context: CallContext) {
        self.plan = plan
        self.context = context
        signals = CallSignals(eventLoop: context.sip.transactions.eventLoop)
        let now = Date().timeIntervalSince1970
        record = CallRecord(result: CallResult(outcome: .unreachable("not started")), startedAt: now, endedAt: now)
    }

    /// Runs the call to its end; `onEvent` sees its progress (ringing, answered).
    public func run(onCallID: (String) throws -> Void = { _ in }, onEvent: @escaping @Sendable (CallEvent) -> Void = { _ in }) async -> CallRecord {
        let setup: CallSetup
        do { setup = try await CallSetup.resolve(plan.route.target(plan.phone), route: plan.route, sip: context.sip) } catch {
            return finish(.unreachable(error.reason))
        }
        let media: CallMedia
        do { media = try await prepareMedia(host: setup.local.host) } catch {
            return finish(.unreachable("no RTP port: \(error)"))
        }
        context.logger.debug("placing call", metadata: ["phone": "\(plan.phone)", "target": "\(setup.target)", "rtp_port": "\(media.localPort)"])
        var config = setup.configuration(mediaPort: media.localPort, callerID: plan.callerID, ringTimeout: plan.ringTimeout)
        if plan.flow.faxes { config.ownerMediaTypes = ["image"] }
        let signals = self.signals
        let call = OutboundCall(configuration: config, dispatcher: context.sip.dispatcher, resolver: context.sip.resolver) { event in
            signals.yield(.call(event))
        }
        self.call = call
        record.sipCallID = call.callID
        do { try onCallID(call.callID) } catch {
            _ = try? await media.finish()
            return finish(.unreachable("the attempt could not be recorded: \(error)"))
        }
        record.startedAt = Date().timeIntervalSince1970
        call.start()
        return await follow(negotiate: { config.offer.negotiate(answer: $0) }, onEvent: onEvent)
    }

    /// Binds the call's RTP stream on `host`; when the flow records, what the far end sends
    /// goes to a new file in the recording directory.
    func prepareMedia(host: String) async throws -> CallMedia {
        let path = plan.flow.records ? newRecordingPath() : nil
        let media = try CallMedia.prepare(playback: nil, repeatCount: 1, record: path, recordBoth: false, rtpTimeout: plan.rtpTimeout,
                                                dtmfMode: .auto, rtpPorts: context.rtpPorts, host: host, group: context.mediaGroup)
        (self.media, recordPath, mediaHost) = (media, path, host)
        return media
    }

    /// A new file name in the recording directory.
    private func newRecordingPath() -> String {
        context.recordingDirectory.appendingPathComponent("\(UUID().uuidString.lowercased()).wav").path
    }

    /// Follows the call's signals to its end: early media and the answer start the audio as
    /// `negotiate` reads their SDP, and the flow runs once the call is answered; then the
    /// media's figures and the recording go into the record.
    func follow(negotiate: @escaping ([UInt8]) -> NegotiatedAudio?, onEvent: @escaping @Sendable (CallEvent) -> Void) async -> CallRecord {
        (self.negotiate, self.onEvent) = (negotiate, onEvent)
        while let signal = await nextSignal() {
            guard case .call(.answered(let sdp)) = signal else { continue }
            let negotiated = negotiate(sdp) ?? earlyAudio
            if negotiated != nil || faxAnsweredOnT38 != nil {
                if let negotiated { startMedia(negotiated) }
                signals.after(plan.maxDuration, .command(.hangUp))
                _ = await run(plan.flow.verbs)
            }
            flowFinished = true
            if !ended, !bridged, secondCall == nil { endCall() }
        }
        // The second call's setup sends no signal after this.
        await secondCallSetup?.value
        await endConsultation()
        await takeSignalsLeft()
        // A call answered on T.38 that ended before its `receive_fax` verb took the fax: its
        // UDPTL port closes here.
        if let early = faxAnsweredOnT38 {
            faxAnsweredOnT38 = nil
            _ = await early.fax.end()
        }
        if let summary = try? await media?.finish() {
            record.rtp = summary.0
            record.digits = String(summary.1.map(\.digit))
        }
        record.recording = (recordPath ?? apiRecordingPath).flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        record.amd = amdJSON
        record.amdAudio = writeAMDAudio()
        return record
    }

    /// The one reader of the call's signals: does what a signal means in any phase of the
    /// call (events, digits, commands, the second call, the media timeout) and hands it to
    /// the caller, who waits for its own (the answer, a prompt played, a timer); nil once
    /// the call has ended.
    func nextSignal() async -> Signal? {
        guard !ended, let signal = await signals.next() else { return nil }
        switch signal {
        case .call(let event): handle(event)
        case .digit(let digit): pendingDigits.append(digit.digit)
        case .mediaTimeout: endCall()
        case .command(let command): await perform(command)
        case .consultationPlaced, .consultation, .consultationFailed: await handleConsultation(signal)
        case .amd(let event): take(event)
        case .earlyAMD(let event): takeEarly(event)
        case .played, .timer, .secondCallOver, .fax: break
        }
        return signal
    }

    /// The call is over: commands still queued (and any sent from now on) are answered
    /// `CallControlError.ended` instead of waiting forever, and a second call placed as
    /// this one ended is hung up.
    private func takeSignalsLeft() async {
        signals.finish()
        while let signal = await signals.next() {
            switch signal {
            case .command(.startRecording(let reply)), .command(.stopRecording(let reply)): reply.resume(throwing: CallControlError.ended)
            case .command(.attendedTransfer(_, let reply)): reply.resume(throwing: CallControlError.ended)
            case .consultationPlaced(let leg): await drop(leg, hangingUp: true)
            case .command(.hangUp), .command(.sendDigits), .command(.transfer), .call, .digit, .played, .timer, .mediaTimeout,
                 .consultation, .consultationFailed, .secondCallOver, .amd, .earlyAMD, .fax:
                break
            }
        }
    }

    /// Ends the call from this side: CANCEL or BYE for a placed call, BYE for one answered.
    func endCall() {
        call?.hangUp()
        inbound?.hangUp()
    }

    /// Hangs the call up (CANCEL while it rings, BYE once answered), from any thread.
    public func hangUp() { signals.yield(.command(.hangUp)) }

    /// Sends `digits` as RFC 4733 events, from any thread.
    public func send(digits: String) { signals.yield(.command(.sendDigits(digits))) }

    /// Blind transfer (REFER) to a number or sip: URI, from any thread; a call a peer placed
    /// takes none (`CallControlError.inboundTakesNoREFER`).
    public func transfer(to destination: String) throws(CallControlError) {
        guard !isInbound else { throw .inboundTakesNoREFER }
        signals.yield(.command(.transfer(destination)))
    }

    /// Starts recording both directions of the answered call into the recording directory
    /// (the CDR's recording); from any thread. Throws `CallControlError`.
    public func startRecording() async throws -> String {
        try await withCheckedThrowingContinuation { reply in
            if !signals.yield(.command(.startRecording(reply))) { reply.resume(throwing: CallControlError.ended) }
        }
    }

    /// Stops the recording `startRecording` began and writes it; from any thread.
    public func stopRecording() async throws -> String {
        try await withCheckedThrowingContinuation { reply in
            if !signals.yield(.command(.stopRecording(reply))) { reply.resume(throwing: CallControlError.ended) }
        }
    }

    func perform(_ command: Command) async {
        switch command {
        case .hangUp: endCall()
        case .sendDigits(let digits): media?.send(digits: digits)
        case .transfer(let destination): referTo(destination)
        case .startRecording(let reply):
            guard record.answeredAt != nil, let media else { return reply.resume(throwing: CallControlError.notAnswered) }
            guard recordPath == nil else { return reply.resume(throwing: CallControlError.recordedByFlow) }
            guard apiRecordingPath == nil else { return reply.resume(throwing: CallControlError.alreadyRecorded) }
            let path = newRecordingPath()
            apiRecordingPath = path
            do {
                try await media.startRecording(to: path)
                reply.resume(returning: path)
            } catch {
                reply.resume(throwing: CallControlError.media("the recording could not start: \(error)"))
            }
        case .attendedTransfer(let destination, let reply):
            placeSecondCall(destination, ringTimeout: plan.ringTimeout, purpose: .transfer, reply: reply)
        case .stopRecording(let reply):
            guard let media, apiRecordingPath != nil else { return reply.resume(throwing: CallControlError.notRecording) }
            do { reply.resume(returning: try await media.stopRecording()) } catch {
                reply.resume(throwing: CallControlError.notRecording)
            }
        }
    }

    /// The record of a call that never left.
    private func finish(_ outcome: CallOutcome) -> CallRecord {
        record.result = CallResult(outcome: outcome)
        record.endedAt = Date().timeIntervalSince1970
        return record
    }

    private func startMedia(_ negotiated: NegotiatedAudio) {
        let signals = self.signals
        audio = negotiated
        do {
            try media?.start(negotiated, onTimeout: { signals.yield(.mediaTimeout) }, onDigit: { signals.yield(.digit($0)) })
        } catch {
            context.logger.warning("call media did not start", metadata: ["call_id": "\(call?.callID ?? "")", "error": "\(error)"])
        }
    }

    /// What a call event means in any phase: early media starts the audio, the answer is
    /// timed, the end is recorded, a media change reaches the stream; the owner sees each.
    func handle(_ event: CallEvent) {
        switch event {
        case .earlyMedia(let sdp):
            earlyAudio = negotiate(sdp)
            if let earlyAudio {
                startMedia(earlyAudio)
                startEarlyDetection()
            }
        case .answered:
            record.answeredAt = Date().timeIntervalSince1970
            stopEarlyDetection()
        case .ended(let result):
            ended = true
            record.result = result
            record.endedAt = Date().timeIntervalSince1970
        case .mediaChanged(let negotiated):
            try? media?.update(negotiated)
        case .progress, .offerReceived, .offerAnswered, .offerRefused:
            break
        }
        onEvent(event)
    }

    /// A token whose `.timer` signal arrives after `seconds`.
    func startTimer(_ seconds: Double) -> Int {
        nextToken += 1
        signals.after(seconds, .timer(nextToken))
        return nextToken
    }

    /// Waits for the signal `wanted` accepts; false when the call ended first or an attended
    /// transfer took it over. Digits that arrive meanwhile are kept for gathers;
    /// `stopOnDigit` also returns (true) at a digit.
    func wait(stopOnDigit: Bool = false, until wanted: (Signal) -> Bool) async -> Bool {
        while !bridged, !interruptedByRevision, let signal = await nextSignal() {
            if interruptOnRevision, case .amd(.revised) = signal {
                interruptedByRevision = true
                return false
            }
            if case .digit = signal, stopOnDigit { return true }
            if wanted(signal) { return true }
        }
        return false
    }
}
