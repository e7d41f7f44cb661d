import Foundation

/// A UDP socket on `source` (any 127/8 address, or ::1) connected to `host`:`port`, with a
/// receive timeout: the test's side of a SIP exchange with a process under test.
final class UDPClient {
    let fd: Int32

    init(port: Int, host: String = "127.0.0.1", source: String? = nil) {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        if v6 {
            var local = sockaddr_in6()
            local.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, source ?? "::1", &local.sin6_addr)
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source ?? "127.0.0.1")
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr(host)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        var tv = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Every datagram that arrives until 300 ms pass with none.
    func receiveAll() -> [String] {
        var out: [String] = []
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return out }
            out.append(String(decoding: buf[0..<n], as: UTF8.self))
        }
    }

    /// Reads until a datagram satisfies `match` (returned) or `timeout` passes (nil); the
    /// others are dropped.
    func receive(timeout: Duration, until match: (String) -> Bool) -> String? {
        collect(timeout: timeout) { received in received.last.map(match) ?? false }.last.flatMap { match($0) ? $0 : nil }
    }

    /// Reads until what arrived satisfies `done` or `timeout` passes; returns all of it.
    func collect(timeout: Duration, until done: ([String]) -> Bool) -> [String] {
        let deadline = ContinuousClock.now + timeout
        var received: [String] = []
        var buf = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline, !done(received) {
            let n = recv(fd, &buf, buf.count, 0)
            guard n > 0 else { continue }
            received.append(String(decoding: buf[0..<n], as: UTF8.self))
        }
        return received
    }

    deinit { close(fd) }
}
