import ArgumentParser
import Fax
import Foundation
import Media
import NIOPosix
import SDP
import SIPSimulator

/// `sipdial fax receive --listen udp:HOST:PORT --out DIR`: answers every call as a fax
/// machine over its G.711 audio and writes each fax to `DIR/<Call-ID>.tif` and, through
/// `tiff2pdf`, `DIR/<Call-ID>.pdf`, printing one JSON line per call at its end:
/// `{"call_id", "file", "pdf", "fax": {result}}` (the result from T.30 phase E; a call
/// that ends mid-fax gets T.30's code for a dropped call). Runs until SIGINT or SIGTERM.
struct FaxReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Answer calls as a fax machine and keep what they send.")

    @OptionGroup var endpoint: AnsweringEndpointOptions
    @OptionGroup var fax: FaxOptions
    @Option(help: "Where received faxes are written (a directory).")
    var out: String
    @Option(help: "RTP/RTCP port range LOW-HIGH.")
    var rtpPorts: ClosedRange<Int> = 20_000...30_000

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out '\(out)' is not a directory")
        }
    }

    /// The simulator's answering media with every call scripted `fax`: a fax terminal per call
    /// receiving into `<out>/<Call-ID>.tif`.
    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var settings = AnsweringMedia.Settings(greeting: nil, repeatCount: 1, recordDirectory: URL(fileURLWithPath: out),
                                               preferences: AudioPreferences(codecs: [.pcmu, .pcma]), ports: RTPPortAllocator(range: rtpPorts), rtpTimeout: 30)
        settings.fax = fax.settings()
        let media = AnsweringMedia(settings, group: group) { callID, recording in
            guard case .fax(let file, let result) = recording else { return }
            let pdf = FileManager.default.fileExists(atPath: file) ? FaxDocument.pdf(from: file) : nil
            Console.json(["call_id": callID, "file": file, "pdf": pdf ?? NSNull(), "fax": FaxOptions.json(result)])
        }
        var answerAsFax = CallScript(ringSeconds: endpoint.answerAfter)
        answerAsFax.fax = true
        let (transport, uas) = try await endpoint.start(on: group.next(), media: media, scripts: CallScriptBook(fallback: answerAsFax), logger: endpoint.logger)
        await ServeCommand.waitForTermination()
        endpoint.logger.info("shutting down", metadata: ["calls_answered": "\(uas.answered)"])
        await transport.shutdown()
        try await group.shutdownGracefully()
    }
}
