import Foundation

/// A document the fax engine can send: a TIFF file (its first four bytes `II*\0` or
/// `MM\0*`) whose pages are 1,728 pixels wide (ITU-T T.4's A4 line), sent as it is, or a
/// PDF (`%PDF`), rendered to TIFF-F by Ghostscript (1,728 pixels wide, 204 × 196 dpi, MMR).
/// Anything else, a TIFF of another width, or a PDF Ghostscript cannot render, is `Unusable`
/// with a reason naming the file, before any call is placed.
public enum FaxDocument {
    public enum Kind: Sendable { case tiff, pdf }

    public struct Unusable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// What a TIFF-F document holds.
    public struct Pages: Sendable, Equatable {
        public var count: Int
        public var width: Int
    }

    public static func check(_ path: String) throws(Unusable) -> Kind {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Unusable(description: "'\(path)': cannot be read") }
        defer { try? handle.close() }
        let magic = [UInt8](handle.readData(ofLength: 4))
        if magic == [0x49, 0x49, 0x2A, 0x00] || magic == [0x4D, 0x4D, 0x00, 0x2A] { return .tiff }
        if magic == Array("%PDF".utf8) { return .pdf }
        throw Unusable(description: "'\(path)': neither TIFF nor PDF (a fax document is TIFF-F: 1728 pixels wide, MH, MR or MMR; or a PDF to render)")
    }

    /// The TIFF-F file to send for `path` (itself, or a PDF rendered into `scratch`) and its
    /// pages, checked: at least one, every one 1,728 pixels wide.
    public static func prepare(_ path: String, in scratch: URL) throws(Unusable) -> (tiff: String, pages: Pages) {
        let tiff = try check(path) == .pdf ? try render(path, in: scratch) : path
        let pages = try pages(of: tiff, named: path)
        guard pages.count > 0 else { throw Unusable(description: "'\(path)': holds no page") }
        guard pages.width == 1728 else {
            throw Unusable(description: "'\(path)': pages are \(pages.width) pixels wide; a fax page is 1728 (render it with gs -sDEVICE=tiffg4 -r204x196 -g1728x2292)")
        }
        return (tiff, pages)
    }

    private static func render(_ path: String, in scratch: URL) throws(Unusable) -> String {
        let output = scratch.appendingPathComponent("document.tif").path
        let gs = Process()
        gs.executableURL = URL(fileURLWithPath: "/usr/bin/gs")
        gs.arguments = ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg4", "-r204x196", "-g1728x2292", "-sOutputFile=\(output)", path]
        let errors = Pipe()
        gs.standardError = errors
        gs.standardOutput = errors
        do { try gs.run() } catch { throw Unusable(description: "'\(path)': Ghostscript cannot run (\(error)); scripts/setup.sh installs it") }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        gs.waitUntilExit()
        guard gs.terminationStatus == 0, FileManager.default.fileExists(atPath: output) else {
            throw Unusable(description: "'\(path)': Ghostscript could not render it: \(said.split(separator: "\n").first ?? "exit \(gs.terminationStatus)")")
        }
        return output
    }

    /// The pages of the TIFF at `path` and the widest one's width, read from its image file
    /// directories (TIFF 6.0 §2: a chain of IFDs, tag 256 the width); `name` is what errors name.
    public static func pages(of path: String, named name: String? = nil) throws(Unusable) -> Pages {
        let name = name ?? path
        guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else { throw Unusable(description: "'\(name)': cannot be read as TIFF") }
        let bytes = [UInt8](data)
        let little = bytes[0] == 0x49
        func read(_ offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset + size <= bytes.count else { return nil }
            let slice = bytes[offset..<offset + size]
            return (little ? slice.reversed() : Array(slice)).reduce(0) { $0 << 8 | Int($1) }
        }
        var pages = Pages(count: 0, width: 0)
        var next = read(4, 4) ?? 0
        var seen = Set<Int>()
        while next != 0 {
            guard seen.insert(next).inserted, pages.count < 10_000, let entries = read(next, 2) else {
                throw Unusable(description: "'\(name)': a broken TIFF (its page directory at \(next) cannot be read)")
            }
            for entry in 0..<entries {
                let at = next + 2 + entry * 12
                guard read(at, 2) == 256, let type = read(at + 2, 2) else { continue }
                // SHORT (3) or LONG (4), the value in the entry itself.
                pages.width = max(pages.width, (type == 3 ? read(at + 8, 2) : read(at + 8, 4)) ?? 0)
            }
            pages.count += 1
            next = read(next + 2 + entries * 12, 4) ?? 0
        }
        return pages
    }

    /// A PDF beside a received TIFF (`tiff2pdf`); its path, or nil when it could not be made.
    public static func pdf(from tiff: String) -> String? {
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
