import ArgumentParser
import Fax
import Foundation

/// `sipdial fax send` and `sipdial fax receive` (issue #23): a fax over a SIP call, sent from
/// a TIFF-F document or received into one, through spandsp's T.30 over the call's G.711
/// audio. The result comes from T.30 phase E only.
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
        guard let result else { return NSNull() }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(result)).flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? NSNull()
    }
}

/// A document the fax engine can send: a TIFF file (its first four bytes `II*\0` or
/// `MM\0*`); anything else is a usage error naming the file, before any call is placed.
enum FaxDocument {
    static func check(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("'\(path)': cannot be read") }
        defer { try? handle.close() }
        let magic = [UInt8](handle.readData(ofLength: 4))
        guard magic == [0x49, 0x49, 0x2A, 0x00] || magic == [0x4D, 0x4D, 0x00, 0x2A] else {
            throw ValidationError("'\(path)': not a TIFF file (a fax document is TIFF-F: 1728 pixels wide, MH, MR or MMR)")
        }
    }
}
