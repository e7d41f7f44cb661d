import ArgumentParser
import Fax
import Foundation
import Media
import NIOCore
import NIOPosix
import SDP
import SIPSimulator
import SIPUserAgent
import Synchronization

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

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let media = FaxReceivingMedia(directory: URL(fileURLWithPath: out), settings: fax.settings(), ports: RTPPortAllocator(range: rtpPorts), group: group)
        let (transport, uas) = try await endpoint.start(on: group.next(), media: media, logger: endpoint.logger)
        await ServeCommand.waitForTermination()
        endpoint.logger.info("shutting down", metadata: ["calls_answered": "\(uas.answered)"])
        await transport.shutdown()
        try await group.shutdownGracefully()
    }
}

/// The audio of the calls `fax receive` answers: an RTP stream per call (PCMU or PCMA) whose
/// ports are an audio fax terminal receiving into the call's file.
final class FaxReceivingMedia: InboundMedia, Sendable {
    private let directory: URL
    private let settings: FaxSettings
    private let ports: RTPPortAllocator
    private let group: EventLoopGroup
    private let calls = Mutex<[String: Call]>([:])

    /// The stream is run on its event loop; the result is kept once phase E gives it.
    private struct Call: @unchecked Sendable {
        var stream: RTPAudioStream
        var port: AudioFaxPort
        var file: String
    }

    init(directory: URL, settings: FaxSettings, ports: RTPPortAllocator, group: EventLoopGroup) {
        (self.directory, self.settings, self.ports, self.group) = (directory, settings, ports, group)
    }

    func answer(offer: [UInt8], callID: String, script: CallScript, localAddress: String) async -> [UInt8]? {
        guard let theirs = try? SDPParser().parse(offer),
              let stream = try? RTPAudioStream.bind(host: localAddress, ports: ports, group: group) else { return nil }
        var mine = AudioOffer(address: localAddress, port: stream.localPort, preferences: AudioPreferences(codecs: [.pcmu, .pcma]))
        let file = directory.appendingPathComponent(AnsweringMedia.fileName(for: callID)).deletingPathExtension().appendingPathExtension("tif").path
        do {
            let (body, audio) = try mine.answer(theirs)
            let port = AudioFaxPort(AudioFaxTerminal(calling: false, role: .receive(into: file), settings: settings)) { _ in }
            calls.withLock { $0[callID] = Call(stream: stream, port: port, file: file) }
            try stream.start(audio.streamParameters(timeout: 30), source: port, sink: port)
            return body
        } catch {
            calls.withLock { _ = $0.removeValue(forKey: callID) }
            _ = try? await stream.stop()
            return nil
        }
    }

    func ended(callID: String) {
        guard let call = calls.withLock({ $0.removeValue(forKey: callID) }) else { return }
        Task {
            _ = try? await call.stream.stop()
            // The stream has stopped: the terminal is ours now. A fax cut short gets its
            // result here (the T.30 code for a dropped call).
            call.port.terminal.callEnded()
            let result = call.port.terminal.result
            let pdf = FileManager.default.fileExists(atPath: call.file) ? FaxDocument.pdf(from: call.file) : nil
            Console.json(["call_id": callID, "file": call.file, "pdf": pdf ?? NSNull(), "fax": FaxOptions.json(result)])
        }
    }
}
