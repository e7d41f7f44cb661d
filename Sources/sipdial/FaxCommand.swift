import ArgumentParser
import Fax
import Foundation

/// `sipdial fax send` and `sipdial fax receive` (issue #23): a fax over a SIP call, sent from
/// a TIFF-F document or received into one, through spandsp's T.30 over the call's G.711
/// audio or over T.38 (UDPTL) after a re-INVITE. The result comes from T.30 phase E only.
struct FaxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fax",
        abstract: "Send or receive a fax over a SIP call.",
        subcommands: [FaxSendCommand.self, FaxReceiveCommand.self]
    )
}

/// The T.30 options both directions share.
struct FaxOptions: ParsableArguments {
    @Option(help: "The station ID sent to the far end (TSI/CSI), up to 20 characters.")
    var stationID = "sipdial"
    @Flag(inversion: .prefixedNo, help: "Error correction mode (T.30 ECM).")
    var ecm = true
    @Flag(help: "How the fax travels: --auto (default) moves to T.38 when the far end asks or, receiving, when the caller's fax tones are heard; --t38 asks for T.38 as soon as the call is up (a refusal keeps G.711); --audio stays on G.711 and refuses T.38.")
    var transport: FaxSwitch.Mode = .auto

    func validate() throws {
        guard stationID.count <= 20, stationID.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw ValidationError("--station-id takes up to 20 ASCII characters")
        }
    }

    func settings(header: String? = nil) -> FaxSettings {
        var settings = FaxSettings()
        settings.stationID = stationID
        settings.ecm = ecm
        settings.headerInfo = header
        return settings
    }

    /// A fax result as the JSON both commands print.
    static func json(_ result: FaxResult?) -> Any {
        result.flatMap { try? JSONSerialization.jsonObject(with: $0.json) } ?? NSNull()
    }
}

extension FaxSwitch.Mode: EnumerableFlag {}
