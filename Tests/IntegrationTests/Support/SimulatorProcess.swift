import Foundation
import Media
import Testing

/// A `sipdial simulate` process on 127.0.0.1 that records its callers into a directory.
struct SimulatorProcess {
    let process: ExternalProcess
    let port: Int

    static func start(_ args: [String], recordingInto directory: URL) async throws -> SimulatorProcess {
        let port = Ports.free()
        let process = try ExternalProcess(SipdialBinary.path, ["simulate", "--listen", "udp:127.0.0.1:\(port)", "--log-level", "error",
                                                               "--record-dir", directory.path] + args)
        #expect(await process.waitForOutput("listening udp", timeout: .seconds(20)), "\(process.text)")
        return SimulatorProcess(process: process, port: port)
    }

    /// What the caller sent, once the call has ended and the simulator wrote it.
    func recording() async throws -> [Int16] {
        #expect(await process.waitForOutput(" recording ", timeout: .seconds(10)), "\(process.text)")
        let line = process.text.split(separator: "\n").first { $0.contains(" recording ") } ?? ""
        let path = line.components(separatedBy: " recording ").last ?? ""
        return try WAVAudio.read(path: path).samples
    }
}
