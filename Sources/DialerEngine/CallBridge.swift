import Foundation
import Media
import NIOCore
import SIPTransport
import SIPUserAgent

/// Click-to-call (two bridged calls): calls party A (the agent); once A answers, plays a
/// ringback tone to A and calls party B (the customer); once B answers, crosses the two
/// calls' audio (transcoding when their codecs differ) until either side hangs up, a
/// command ends it, or `hold` runs out; whoever leaves first ends the other leg (a ringing B
/// is cancelled). Both parties can be kept in a two-channel recording (A left, B right).
/// Used by `sipdial bridge` and `POST /v1/click-to-call`.
public final class CallBridge: @unchecked Sendable {
    public struct Settings: Sendable {
        /// What A hears while B rings (nil: silence).
        public var ringback: Tone?
        public var record: Bool
        /// Hang up a leg whose RTP stops for this long (0: never).
        public var rtpTimeout: Double
        /// Longest time the two parties stay connected (0: until one hangs up).
        public var hold: Double
        /// The rate the bridge carries audio and records at: that of the codec offered first
        /// (16 kHz keeps two Opus legs wideband; a leg at another rate is converted).
        public var sampleRate: Int

        public init(ringback: Tone?, record: Bool, rtpTimeout: Double, hold: Double, sampleRate: Int = AudioFormat.sampleRate) {
            (self.ringback, self.record, self.rtpTimeout, self.hold, self.sampleRate) = (ringback, record, rtpTimeout, hold, sampleRate)
        }
    }

    /// One leg's end: its result, SIP Call-ID, audio figures and DTMF heard.
    public struct Leg: Sendable {
        public var result: CallResult
        public var callID: String
        public var rtp: RTPStreamStatistics?
        public var digits: String
    }

    public struct Outcome: Sendable {
        /// A's leg, then B's when B was called.
        public var legs: [Leg]
        /// A on the left, B on the right, when recording, at `sampleRate`.
        public var recording: [[Int16]]?
        public var sampleRate: Int
        public var answeredAt: Double?
    }

    enum Step: Sendable {
        case call(Int, CallEvent)
        case mediaTimeout(Int)
        case hangUp
    }

    let settings: Settings
    let dispatcher: SIPSessionDispatcher
    let resolver: SIPTargetResolver
    /// The two legs' steps, taken by `run` alone.
    private let steps: CallSignals<Step>

    public init(settings: Settings, dispatcher: SIPSessionDispatcher, resolver: SIPTargetResolver) {
        (self.settings, self.dispatcher, self.resolver) = (settings, dispatcher, resolver)
        steps = CallSignals(eventLoop: dispatcher.transactions.eventLoop)
    }

    /// Ends the bridge (both legs hung up), from any thread.
    public func hangUp() { steps.yield(.hangUp) }

    /// Runs the two calls. `configure(leg, mediaPort)` gives each leg's INVITE settings
    /// (leg 0 is A); `onCallID` and `onEvent` follow each leg; `progress` hears what
    /// happens, as lines for a person.
    public func run(host: String, ports: RTPPortAllocator, group: EventLoopGroup,
                    configure: (Int, Int) async throws -> OutboundCall.Configuration,
                    onCallID: (Int, String) -> Void = { _, _ in },
                    onEvent: (Int, CallEvent) -> Void = { _, _ in },
                    progress: (String) -> Void = { _ in }) async throws -> Outcome {
        let streamA = try RTPAudioStream.bind(host: host, ports: ports, group: group)
        // One clock must tick both legs: leg B's stream goes on leg A's event loop.
        let streamB = try RTPAudioStream.bind(host: host, ports: ports, group: streamA.eventLoop)
        let streams = [streamA, streamB]
        let bridge = AudioBridge(sampleRate: settings.sampleRate, waiting: settings.ringback.map { ToneGenerator($0) },
                                 recording: settings.record ? StereoRecorder(sampleRate: settings.sampleRate) : nil)
        var configs: [OutboundCall.Configuration] = []
        var calls: [OutboundCall] = []
        var results: [Int: CallResult] = [:]
        var answeredAt: Double?
        let steps = self.steps
        defer { steps.finish() }

        func place(_ index: Int) async throws {
            let config = try await configure(index, streams[index].localPort)
            let call = OutboundCall(configuration: config, dispatcher: dispatcher, resolver: resolver) {
                steps.yield(.call(index, $0))
            }
            configs.append(config)
            calls.append(call)
            onCallID(index, call.callID)
            call.start()
        }
        func party(_ index: Int) -> String { index == 0 ? "A" : "B" }

        do { try await place(0) } catch {
            _ = try? await streamA.stop()
            _ = try? await streamB.stop()
            throw error
        }
        while let step = await steps.next() {
            if case .call(let index, let event) = step { onEvent(index, event) }
            switch step {
            case .call(let index, .progress(let code)):
                progress("[\(code)] party \(party(index))")
            case .call(let index, .answered(let sdp)):
                guard let negotiated = configs[index].offer.negotiate(answer: sdp) else {
                    progress("party \(party(index)) answered without usable audio: hanging up")
                    calls[index].hangUp()
                    continue
                }
                let leg = index == 0 ? bridge.legA : bridge.legB
                streams[index].onTimeout = { steps.yield(.mediaTimeout(index)) }
                do {
                    try streams[index].start(negotiated.streamParameters(timeout: settings.rtpTimeout), source: leg.source, sink: leg.sink)
                } catch {
                    progress("party \(party(index)): \(error)")
                    calls[index].hangUp()
                    continue
                }
                if index == 0 {
                    progress("[200] party A answered (\(negotiated.codec.rawValue)), calling party B")
                    do { try await place(1) } catch {
                        calls[0].hangUp()
                        results[1] = CallResult(outcome: .unreachable("\(error)"))
                    }
                } else {
                    streamA.eventLoop.execute { bridge.connect() }
                    answeredAt = Date().timeIntervalSince1970
                    progress("[200] party B answered (\(negotiated.codec.rawValue)): connected")
                    if settings.hold > 0 { steps.after(settings.hold, .hangUp) }
                }
            case .call(_, .earlyMedia):
                // A leg's own early media is not passed on: A hears the ringback while B rings.
                continue
            case .call(_, .offerReceived), .call(_, .offerAnswered), .call(_, .offerRefused):
                // The bridge answers no offers itself (no `ownerMediaTypes`) and makes none.
                continue
            case .call(let index, .mediaChanged(let negotiated)):
                do { try streams[index].update(negotiated.streamParameters(timeout: settings.rtpTimeout)) } catch { progress("\(error)") }
            case .mediaTimeout(let index):
                progress("no RTP from party \(party(index)) for \(settings.rtpTimeout) s: hanging up")
                calls.forEach { $0.hangUp() }
            case .hangUp:
                progress("hanging up")
                calls.forEach { $0.hangUp() }
            case .call(let index, .ended(let result)):
                results[index] = result
                progress("party \(party(index)) ended: \(result.outcome)")
                for (other, call) in calls.enumerated() where results[other] == nil { call.hangUp() }
                if results.count >= calls.count { steps.finish() }
            }
        }
        var legs: [Leg] = []
        for (index, stream) in streams.enumerated() {
            let figures = try? await stream.stop()
            if let result = results[index] {
                legs.append(Leg(result: result, callID: index < calls.count ? calls[index].callID : "", rtp: figures?.0,
                                digits: String((figures?.1 ?? []).map(\.digit))))
            }
        }
        return Outcome(legs: legs, recording: bridge.recording?.channels, sampleRate: settings.sampleRate, answeredAt: answeredAt)
    }
}
