import NIOCore
import NIOPosix

/// A/AAAA lookups through the system resolver (getaddrinfo, so /etc/hosts applies), run off
/// the event loop on NIO's thread pool.
enum SIPAddressLookup {
    static func resolve(host: String, port: Int, on eventLoop: EventLoop) -> EventLoopFuture<[SocketAddress]> {
        if let numeric = try? SocketAddress(ipAddress: host, port: port) {
            return eventLoop.makeSucceededFuture([numeric])
        }
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
            return [address]
        }
    }
}
