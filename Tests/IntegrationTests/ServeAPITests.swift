import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `sipdial serve` as a process: the REST API listens next to SIP, answers with a token made
/// by `sipdial token create` on the same data directory, and SIGTERM stops it cleanly.
struct ServeAPITests {
    /// `sipdial serve` on a free SIP port and any HTTP port, once it says it listens.
    static func serve(data: URL, logLevel: String, _ extra: [String] = []) async throws -> ExternalProcess {
        let serve = try ExternalProcess(SipdialBinary.path, ["serve", "--listen", "udp:127.0.0.1:\(Ports.free())", "--http", "127.0.0.1:0",
                                                             "--data", data.path, "--log-level", logLevel] + extra)
        #expect(await serve.waitForOutput("listening http", timeout: .seconds(20)), "\(serve.text)")
        return serve
    }

    @Test func restAPIAnswersNextToSIPAndStopsOnSIGTERM() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let (created, token) = try await SipdialBinary.run(["token", "create", "tests", "--data", data.path])
        #expect(created == 0)
        let serve = try await Self.serve(data: data, logLevel: "error")
        defer { serve.stop() }
        let line = serve.text.split(separator: "\n").first { $0.hasPrefix("listening http") } ?? ""
        let port = try #require(line.split(separator: " ").last.flatMap { Int($0) })

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/campaigns")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(#"{"name": "Reminders", "calls_per_minute": 60, "max_concurrent": 5}"#.utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: body, as: UTF8.self))")

        kill(serve.process.processIdentifier, SIGTERM)
        #expect(await serve.wait(timeout: .seconds(10)) == 0, "\(serve.text.suffix(500))")
    }

    /// `--media-realtime-priority 7`: the media loops' threads run SCHED_RR at priority 7
    /// (read from /proc as the kernel has them), the signaling loop's stays at the normal
    /// policy; without the privilege a warning says so. A priority outside 1-99 is a usage error.
    @Test func mediaLoopsRunRealtimeWhenAsked() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let (refused, _) = try await SipdialBinary.run(["serve", "--media-realtime-priority", "0", "--data", data.path])
        #expect(refused == 2)
        let serve = try await Self.serve(data: data, logLevel: "warning", ["--media-realtime-priority", "7"])
        defer { serve.stop() }
        let pid = serve.process.processIdentifier
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        // Each NIO thread's (policy, priority): fields 41 and 40 of its stat (man 5 proc).
        let loops: [(policy: Int, priority: Int)] = tasks.compactMap { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  stat.contains("(NIO-ELT"), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return (Int(fields[38]) ?? -1, Int(fields[37]) ?? -1)
        }
        if geteuid() == 0 {
            #expect(loops.contains { $0.policy == Int(SCHED_RR) && $0.priority == 7 }, "\(loops)")
            #expect(loops.contains { $0.policy == Int(SCHED_OTHER) }, "signaling stays at the normal policy: \(loops)")
        } else {
            #expect(serve.text.contains("cannot schedule the media loops"), "\(serve.text)")
        }
    }
}
