import ArgumentParser
import DialerEngine
import Fax
import Foundation
import Media
import NIOPosix

/// `sipdial fax receive --listen udp:HOST:PORT --out DIR`: answers every call from an allowed
/// peer as a fax machine (`FaxReceiver`): G.711 first, T.38 as `--t38 | --audio | --auto`
/// says. Each fax goes to `DIR/<Call-ID>.tif` and, through `tiff2pdf`, `DIR/<Call-ID>.pdf`;
/// one JSON line per call at its end: `{"call_id", "file", "pdf", "fax": {result}}` (the
/// result from T.30 phase E; a call that ends mid-fax gets T.30's code for a dropped call).
/// Runs until SIGINT or SIGTERM.
struct FaxReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Answer calls as a fax machine and keep what they send.")

    @OptionGroup var sip: SIPEndpointOptions
    @OptionGroup var fax: FaxOptions
    @Option(help: "Where received faxes are written (a directory).")
    var out: String
    @Option(help: "RTP/RTCP and UDPTL port range LOW-HIGH.")
    var rtpPorts: ClosedRange<Int> = 20_000...30_000

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out '\(out)' is not a directory")
        }
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let logger = sip.logger
        let endpoint: DialerSIPEndpoint
        do {
            endpoint = try await DialerSIPEndpoint.start(configuration: sip.transportConfiguration, allowedPeers: try sip.allowedPeers,
                                                         eventLoop: group.next(), logger: logger)
        } catch {
            logger.error("cannot listen: \(error)")
            throw ExitCode(3)
        }
        let settings = FaxReceiver.Settings(directory: URL(fileURLWithPath: out), fax: fax.settings(), mode: fax.transport,
                                            ports: RTPPortAllocator(range: rtpPorts))
        let receiver = FaxReceiver(endpoint: endpoint, settings: settings, group: group) { callID, file, result in
            let pdf = FileManager.default.fileExists(atPath: file) ? FaxDocument.pdf(from: file) : nil
            Console.json(["call_id": callID, "file": file, "pdf": pdf ?? NSNull(), "fax": FaxOptions.json(result)])
        }
        SIPEndpointOptions.announce(endpoint.listeners)
        await ServeCommand.waitForTermination()
        withExtendedLifetime(receiver) {}
        await endpoint.shutdown()
        try await group.shutdownGracefully()
    }
}
