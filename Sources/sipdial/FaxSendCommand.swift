import ArgumentParser
import DialerEngine
import Fax
import Foundation
import Media
import SIPCore
import SIPUserAgent

/// `sipdial fax send URI FILE`: places a call and sends the TIFF-F (or PDF) document over its G.711
/// audio (spandsp's modems and T.30) or, after a re-INVITE either way, over T.38 (`FaxCall`),
/// hangs up at T.30 phase E and prints the result. Exit 0 only when the far end confirmed
/// every page; 1 when the call or the fax failed, 2 usage, 3 network.
struct FaxSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send a TIFF-F or PDF document as a fax.")

    @Argument(help: "Who to fax: a sip: URI.")
    var target: String
    @Argument(help: "The document: a TIFF-F file, or a PDF (rendered to TIFF-F by Ghostscript before the call).")
    var document: String
    @OptionGroup var dial: DialOptions
    @OptionGroup var fax: FaxOptions
    @Option(help: "The header line printed at the top of each page.")
    var header: String?
    @Option(help: "Give up after this many seconds of fax (default 600).")
    var timeout: Double = 600
    @Option(help: "Write the T.38 stream's UDPTL datagrams, both ways, to this pcap file (when the fax moves to T.38), for Wireshark or tshark.")
    var capture: String?

    func validate() throws {
        _ = try DialOptions.sipURI(target, option: "target")
        do { _ = try FaxDocument.check(document) } catch { throw ValidationError(error.description) }
        guard timeout > 0, timeout <= 7200 else { throw ValidationError("--timeout must be 1-7200 seconds") }
    }

    private enum Step {
        case call(CallEvent)
        case fax(FaxCall.Report)
        case timedOut
    }

    func run() async throws {
        let uri = try SIPURI(parsing: target)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-fax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let tiff: String
        do { tiff = try FaxDocument.prepare(document, in: scratch).tiff } catch {
            Console.error("fax", error.description)
            throw ExitCode(2)
        }
        let (call, faxed, callID) = try await CommandEndpoint.run(local: dial.localAddress(toward: uri), kind: try dial.transportKind(for: uri), tls: dial.tls.settings, trace: try dial.trace.open(),
                                                          onError: { Console.error("fax", $0) }) { endpoint in
            try await send(uri, document: tiff, endpoint: endpoint)
        }
        var object = call.jsonObject
        object["call_id"] = callID
        object["fax"] = FaxOptions.json(faxed)
        if dial.json { Console.json(object) } else {
            Console.say(call.textLine)
            Console.say(faxed.map { "fax: \($0.text), \($0.pagesSent) of \($0.pagesInFile) pages at \($0.bitRate) bit/s" } ?? "fax: no result")
        }
        if faxed?.success == true { return }
        if case .unreachable = call.outcome { throw ExitCode(3) }
        throw ExitCode(1)
    }

    /// The call's result, the fax's (nil without phase E) and the call's Call-ID.
    private func send(_ uri: SIPURI, document: String, endpoint: CommandEndpoint) async throws -> (CallResult, FaxResult?, String) {
        let destinations = try await dial.destinations(for: uri, endpoint: endpoint) { Console.error("fax", $0) }
        let media = try CallMedia.prepare(playback: nil, repeatCount: 1, record: nil, recordBoth: false, rtpTimeout: dial.rtpTimeout,
                                          dtmfMode: .rfc4733, rtpPorts: RTPPortAllocator(range: dial.rtpPorts),
                                          host: endpoint.bound.ipAddress ?? "127.0.0.1", group: endpoint.group)
        var config = dial.configuration(target: uri, destinations: destinations, mediaPort: media.localPort, endpoint: endpoint)
        config.ownerMediaTypes = ["image"]
        let steps = AsyncStream<Step>.makeStream()
        let call = OutboundCall(configuration: config, dispatcher: SIPSessionDispatcher(transactions: endpoint.transactions),
                                resolver: endpoint.resolver) { steps.continuation.yield(.call($0)) }
        var setup = FaxCall.Setup(calling: true, role: .send(document: document), settings: fax.settings(header: header), mode: fax.transport,
                                  host: endpoint.bound.ipAddress ?? "127.0.0.1", ports: RTPPortAllocator(range: dial.rtpPorts))
        setup.capture = capture
        let faxCall = FaxCall(setup, media: media, offers: call.offers, group: endpoint.group,
                              report: { steps.continuation.yield(.fax($0)) }, onTimeout: { call.hangUp() })
        call.start()
        let limit = Task {
            try? await Task.sleep(for: .seconds(timeout))
            steps.continuation.yield(.timedOut)
        }
        defer { limit.cancel() }
        for await step in steps.stream {
            switch step {
            case .call(.answered(let sdp)):
                guard let negotiated = config.offer.negotiate(answer: sdp) else {
                    Console.error("fax", "the answer has no usable audio")
                    call.hangUp()
                    continue
                }
                do {
                    try faxCall.answered(negotiated)
                    if !dial.json { Console.say("[200] answered, sending \(document)") }
                } catch {
                    Console.error("fax", "\(error)")
                    call.hangUp()
                }
            case .call(.ended(let result)):
                return (result, await faxCall.end(), call.callID)
            case .call(let event):
                do { try faxCall.handle(event) } catch {
                    Console.error("fax", "\(error)")
                    call.hangUp()
                }
            case .fax(let report):
                do {
                    if try faxCall.handle(report) != nil { call.hangUp() }
                } catch {
                    Console.error("fax", "\(error)")
                    call.hangUp()
                }
            case .timedOut:
                Console.error("fax", "no result after \(Int(timeout)) s: hanging up")
                call.hangUp()
            }
        }
        return (CallResult(outcome: .unreachable("the call ended without a result")), await faxCall.end(), call.callID)
    }
}
