import Foundation
import NIOCore

/// The local address the kernel would use to reach `host` (a connected UDP socket's name).
public enum LocalRoute {
    public static func address(toward host: String) -> String? {
        guard let remote = try? SocketAddress.makeAddressResolvingHost(host, port: 9) else { return nil }
        let family = remote.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let connected = remote.withSockAddr { connect(fd, $0, socklen_t($1)) }
        guard connected == 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok: Bool = withUnsafePointer(to: &storage) { p in
            if family == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sa in
                    var a = sa.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) != nil
                }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sa in
                var a = sa.pointee.sin_addr
                return inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) != nil
            }
        }
        return ok ? String(cString: text) : nil
    }
}
