import Foundation

/// The `sipdial` executable built next to this test bundle.
enum SipdialBinary {
    static var path: String {
        let products = Bundle.module.bundleURL.deletingLastPathComponent()
        return products.appendingPathComponent("sipdial").path
    }

    /// Runs `sipdial` with `args` and `stdin`, returning exit status and standard output.
    static func run(_ args: [String], stdin: Data? = nil, timeout: Duration = .seconds(30)) async throws -> (Int32?, String) {
        let p = try ExternalProcessWithInput(path, args, stdin: stdin)
        let status = await p.process.wait(timeout: timeout)
        return (status, p.process.text)
    }

    /// The JSON object `--json` printed: the last output line that starts with `{`.
    static func jsonObject(in output: String) -> [String: Any] {
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

/// A process whose standard input is fed once and closed.
struct ExternalProcessWithInput {
    let process: ExternalProcess

    init(_ executable: String, _ args: [String], stdin: Data?) throws {
        if let stdin {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-stdin-\(UUID().uuidString)")
            try stdin.write(to: file)
            process = try ExternalProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"\(file.path)\"", executable] + args)
        } else {
            process = try ExternalProcess(executable, args)
        }
    }
}
