import Foundation
import Synchronization

/// Free loopback ports and readiness checks that read the kernel's socket tables instead of
/// sleeping for a fixed time.
enum Ports {
    /// A port that is free for both UDP and TCP on 127.0.0.1 right now, from 61000-65000:
    /// above the RTP ranges the processes under test bind on their own (sipdial call
    /// 10000-20000, sipdial simulate 20000-30000, baresip 30000-39998, explicit ranges in
    /// 42000-44999) and above the kernel's ephemeral range (32768-60999), so a peer started on
    /// it cannot lose it to another test's media socket or to a port-0 bind or outgoing
    /// connection between the check and its own bind (a serve once did: "Address already in
    /// use"). No port is handed out twice in one run.
    static func free() -> Int { free(consecutive: 1) }

    /// The first of `count` consecutive ports, each free as `free()` says and none handed out
    /// before: SIPp binds audio RTP, RTCP and video RTP, RTCP from its `-mp` port on (a video
    /// port two above a free one was once another test's).
    static func free(consecutive count: Int) -> Int {
        for _ in 0..<200 {
            let first = Int.random(in: 61_000...(65_001 - count))
            let range = first..<(first + count)
            let claimed = handedOut.withLock { taken in
                guard range.allSatisfy({ !taken.contains($0) }) else { return false }
                range.forEach { taken.insert($0) }
                return true
            }
            guard claimed else { continue }
            if range.allSatisfy({ !bound($0, udp: true) && !bound($0, udp: false) && canBind($0) }) { return first }
        }
        fatalError("no free port")
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func canBind(_ port: Int) -> Bool {
        for type in [SOCK_DGRAM, SOCK_STREAM] {
            let fd = socket(AF_INET, Int32(type.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if ok != 0 { return false }
        }
        return true
    }

    /// Whether something is bound to `port` (UDP) or listening on it (TCP), per /proc/net.
    static func bound(_ port: Int, udp: Bool) -> Bool {
        let hex = String(format: ":%04X", port)
        for file in udp ? ["/proc/net/udp", "/proc/net/udp6"] : ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: String(contentsOfFile:) stops after the first 4 KB of a /proc
            // file (about 30 sockets), and the media tests keep hundreds open.
            guard let handle = FileHandle(forReadingAtPath: file) else { continue }
            let table = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            for line in table.split(separator: "\n").dropFirst() {
                let cols = line.split(separator: " ")
                guard cols.count > 3, cols[1].hasSuffix(hex) else { continue }
                if udp || cols[3] == "0A" { return true }
            }
        }
        return false
    }

    /// Waits until the port is bound; false after `timeout`.
    static func waitUntilBound(_ port: Int, udp: Bool, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if bound(port, udp: udp) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
