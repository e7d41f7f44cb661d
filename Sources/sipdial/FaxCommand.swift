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

/// A document the fax engine can send: a TIFF file (its first four bytes `II*\0` or
/// `MM\0*`), sent as it is, or a PDF (`%PDF`), rendered to TIFF-F by Ghostscript (1728
/// pixels wide, 204 × 196 dpi, MMR) before the call. Anything else, or a PDF Ghostscript
/// cannot render, is a usage error naming the file, before any call is placed.
enum FaxDocument {
    enum Kind { case tiff, pdf }

    static func check(_ path: String) throws -> Kind {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("'\(path)': cannot be read") }
        defer { try? handle.close() }
        let magic = [UInt8](handle.readData(ofLength: 4))
        if magic == [0x49, 0x49, 0x2A, 0x00] || magic == [0x4D, 0x4D, 0x00, 0x2A] { return .tiff }
        if magic == Array("%PDF".utf8) { return .pdf }
        throw ValidationError("'\(path)': neither TIFF nor PDF (a fax document is TIFF-F: 1728 pixels wide, MH, MR or MMR; or a PDF to render)")
    }

    /// The TIFF-F file to send for `path`: itself, or a PDF rendered into `scratch`.
    static func prepare(_ path: String, in scratch: URL) throws -> String {
        guard try check(path) == .pdf else { return path }
        let output = scratch.appendingPathComponent("document.tif").path
        let gs = Process()
        gs.executableURL = URL(fileURLWithPath: "/usr/bin/gs")
        gs.arguments = ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg4", "-r204x196", "-g1728x2292", "-sOutputFile=\(output)", path]
        let errors = Pipe()
        gs.standardError = errors
        gs.standardOutput = errors
        do { try gs.run() } catch { throw ValidationError("'\(path)': Ghostscript cannot run (\(error)); scripts/setup.sh installs it") }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        gs.waitUntilExit()
        guard gs.terminationStatus == 0, FileManager.default.fileExists(atPath: output) else {
            throw ValidationError("'\(path)': Ghostscript could not render it: \(said.split(separator: "\n").first ?? "exit \(gs.terminationStatus)")")
        }
        return output
    }

    /// A PDF beside a received TIFF (`tiff2pdf`); its path, or nil when it could not be made.
    static func pdf(from tiff: String) -> String? {
        let output = URL(fileURLWithPath: tiff).deletingPathExtension().appendingPathExtension("pdf").path
        let convert = Process()
        convert.executableURL = URL(fileURLWithPath: "/usr/bin/tiff2pdf")
        convert.arguments = ["-o", output, tiff]
        convert.standardOutput = FileHandle.nullDevice
        convert.standardError = FileHandle.nullDevice
        guard (try? convert.run()) != nil else { return nil }
        convert.waitUntilExit()
        return convert.terminationStatus == 0 ? output : nil
    }
}
