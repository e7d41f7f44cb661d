import Foundation
import Testing

/// Runs SIPp (Debian package sip-tester) on 127.0.0.1 with bounded duration.
enum SIPp {
    static let executable = "/usr/bin/sipp"

    static func scenario(_ name: String) -> String {
        Bundle.module.url(forResource: "Scenarios/\(name)", withExtension: "xml")!.path
    }

    /// A scratch directory for SIPp's logs, removed by the caller.
    static func workDirectory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-sipp-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Starts SIPp; `args` come after the common ones (local IP, no stdin, a global timeout).
    /// Without `-mp` in `args` SIPp gets a free media port of its own: its default (6000) would
    /// be shared by every SIPp the parallel suites start.
    static func start(_ args: [String], localPort: Int, localIP: String = "127.0.0.1", timeoutSeconds: Int = 20, in dir: URL) throws -> ExternalProcess {
        let media = args.contains("-mp") ? [] : ["-mp", String(Ports.free(consecutive: 4))]
        return try ExternalProcess(executable, args + media + [
            "-i", localIP, "-p", String(localPort), "-nostdin",
            "-timeout", "\(timeoutSeconds)s", "-timeout_error", "-trace_err",
        ], directory: dir)
    }

    /// Starts SIPp listening on a free port (UDP, or TCP when `udp` is false) and waits until
    /// it has bound it. A SIPp that has not bound its port within 10 s (another test's process
    /// took the port in between, or SIPp stalled starting) is stopped and started again on
    /// another port, up to three times; the test then fails naming what SIPp printed.
    static func listening(_ args: [String], udp: Bool = true, timeoutSeconds: Int = 20, in dir: URL) async throws -> (ExternalProcess, Int) {
        var attempts: [String] = []
        for _ in 0..<3 {
            let port = Ports.free()
            let sipp = try start(args, localPort: port, timeoutSeconds: timeoutSeconds, in: dir)
            if await Ports.waitUntilBound(port, udp: udp, timeout: .seconds(10)) { return (sipp, port) }
            sipp.stop()
            attempts.append("port \(port): \(sipp.text.suffix(300))")
        }
        Issue.record("SIPp did not bind a port in three attempts: \(attempts.joined(separator: "; "))")
        throw CancellationError()
    }

    /// The error log SIPp wrote (unexpected messages), for test failure messages.
    static func errors(in dir: URL) -> String { logs(endingWith: "_errors.log", in: dir) }

    /// The messages SIPp sent and received, when it ran with `-trace_msg`.
    static func messageTrace(in dir: URL) -> String { logs(endingWith: "_messages.log", in: dir) }

    private static func logs(endingWith suffix: String, in dir: URL) -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(suffix) }
            .compactMap { try? String(contentsOfFile: dir.appendingPathComponent($0).path, encoding: .utf8) }
            .joined(separator: "\n")
    }

    /// The Retrans column of SIPp's final statistics screen for the `occurrence`th line showing
    /// `message` (a method or status code), or nil when the line is not there. SIPp writes
    /// `INVITE ---------->  1  0` for what it sends in UAC mode and `----------> INVITE  1  0`
    /// for what it receives in UAS mode.
    static func retransmissions(of message: String, in output: String, occurrence: Int = 0) -> Int? {
        column(1, of: message, in: output, occurrence: occurrence)
    }

    /// The Messages column (how many were sent or received) of the same screen line.
    static func messages(of message: String, in output: String, occurrence: Int = 0) -> Int? {
        column(0, of: message, in: output, occurrence: occurrence)
    }

    private static func column(_ index: Int, of message: String, in output: String, occurrence: Int) -> Int? {
        let rows: [[Substring]] = output.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 4 else { return nil }
            if f[0] == message, f[1].contains("--") { return Array(f[2...]) }
            if f[1] == message, f[0].contains("--") { return Array(f[2...]) }
            return nil
        }
        guard occurrence < rows.count, rows[occurrence].count > index else { return nil }
        return Int(rows[occurrence][index])
    }
}
