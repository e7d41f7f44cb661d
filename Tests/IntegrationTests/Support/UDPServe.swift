import Foundation
import Testing

/// `sipdial serve` listening on UDP only (IPv4 or IPv6 `host`, a free port), REST on a free
/// port, with a data directory of its own that goes away with it: for tests that talk SIP to
/// the dialer as a peer on the network would.
final class UDPServe {
    let process: ExternalProcess
    let port: Int
    private let data: URL

    init(host: String = "127.0.0.1", logLevel: String = "error") async throws {
        port = Ports.free()
        data = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-udp-serve-\(UUID().uuidString)")
        let listen = host.contains(":") ? "udp:[\(host)]:\(port)" : "udp:\(host):\(port)"
        process = try ExternalProcess(SipdialBinary.path, ["serve", "--listen", listen, "--http", "127.0.0.1:0", "--data", data.path, "--log-level", logLevel])
        #expect(await process.waitForOutput("listening udp", timeout: .seconds(30)), "\(process.text)")
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: data)
    }
}
