import Foundation

/// A child process (SIPp, Kamailio, sipdial) started by a test, always bounded in time and
/// killed when the test is done with it.
final class ExternalProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var captured = Data()
    /// The output pipe was read to its end (every writer closed it).
    private var drained = false

    init(_ executable: String, _ arguments: [String], directory: URL? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.lock.lock()
            if d.isEmpty {
                self.drained = true
                h.readabilityHandler = nil
            } else {
                self.captured.append(d)
            }
            self.lock.unlock()
        }
        try process.run()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: captured, as: UTF8.self)
    }

    /// Waits for exit, and for the last of its output to be read (SIPp prints its final
    /// statistics as it exits, and tests read them); kills the process and returns nil after
    /// `timeout`.
    func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatus {
                // A forked child may keep the pipe open: wait for the end of output 2 s at most.
                let drainDeadline = ContinuousClock.now + .seconds(2)
                while !isDrained, ContinuousClock.now < drainDeadline { try? await Task.sleep(for: .milliseconds(10)) }
                return status
            }
            if ContinuousClock.now >= deadline {
                stop()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The exit status once the process has ended, read with `waitid(WNOWAIT)` so the zombie is
    /// left for Foundation to reap: Foundation's own reaping sometimes misses a child while
    /// other children (Kamailio's workers) come and go, and `isRunning` then stays true.
    var exitStatus: Int32? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            return process.isRunning ? nil : process.terminationStatus
        }
        guard info.si_signo == SIGCHLD else { return nil }
        return info._sifields._sigchld.si_status
    }

    var isRunning: Bool { exitStatus == nil }

    private var isDrained: Bool {
        lock.lock()
        defer { lock.unlock() }
        return drained
    }

    /// Waits until the output contains `needle`.
    func waitForOutput(_ needle: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(needle) { return true }
            if !isRunning { return text.contains(needle) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Stops the process and every process it forked (Kamailio forks its workers, which a
    /// killed parent would leave behind).
    func stop() {
        let children = Self.descendants(of: process.processIdentifier)
        if isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(2)
            while isRunning, Date() < deadline { usleep(10_000) }
            if isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        for child in children { kill(child, SIGKILL) }
    }

    /// The process ids below `root`, read from /proc/<pid>/stat (field 4 is the parent).
    private static func descendants(of root: Int32) -> [Int32] {
        guard root > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var parentOf: [Int32: Int32] = [:]
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { parentOf[pid] = ppid }
        }
        var found: Set<Int32> = [root]
        var grew = true
        while grew {
            grew = false
            for (pid, ppid) in parentOf where found.contains(ppid) && !found.contains(pid) {
                found.insert(pid)
                grew = true
            }
        }
        found.remove(root)
        return Array(found)
    }

    deinit { stop() }
}
