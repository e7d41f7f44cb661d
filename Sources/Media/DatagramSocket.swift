import CDatagram
import Foundation
import NIOCore

/// A non-blocking UDP socket that one media event loop reads and writes directly: the media
/// clock drains it once a tick and each frame goes out with one `sendto(2)` (docs/ARCHITECTURE.md, house rules: media
/// ports are pulled by the clock). An RTP stream sends and receives one packet per socket
/// every 20 ms, so a channel pipeline per socket (a buffer allocated per packet, pending
/// writes, readiness events) cost more than the packets themselves; see docs/DECISIONS.md.
///
/// Use it only on its event loop; `close()` before dropping it (`deinit` closes a socket
/// left open).
package final class DatagramSocket {
    private var descriptor: Int32
    /// The port the socket is bound to.
    package let localPort: Int
    /// The one peer the socket takes datagrams from, once connected.
    package private(set) var connectedPeer: DatagramPeer?

    /// Binds a socket to `address` (port 0 picks a free port); kernel receive timestamps on.
    package init(bindingTo address: SocketAddress) throws {
        let descriptor = address.withSockAddr { sipdial_open_datagram_socket($0, socklen_t($1)) }
        guard descriptor >= 0, sipdial_enable_receive_timestamps(descriptor) == 0 else {
            let code = errno
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw IOError(errnoCode: code, reason: "bind \(address)")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.localPort = DatagramPeer(storage: storage, length: length).port
    }

    deinit { close() }

    package func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// From now on the kernel drops datagrams from anyone but `peer`, and sending to it
    /// skips the per-datagram route lookup (connect(2) on UDP). False when refused.
    @discardableResult
    package func connect(to peer: DatagramPeer) -> Bool {
        guard descriptor >= 0 else { return false }
        guard peer.withSockAddr({ Glibc.connect(descriptor, $0, $1) }) == 0 else { return false }
        connectedPeer = peer
        return true
    }

    /// Takes datagrams from anyone again (connect(2) to AF_UNSPEC).
    package func disconnect() {
        guard descriptor >= 0, connectedPeer != nil else { return }
        var unspecified = sockaddr()
        unspecified.sa_family = sa_family_t(AF_UNSPEC)
        _ = Glibc.connect(descriptor, &unspecified, socklen_t(MemoryLayout<sockaddr>.size))
        connectedPeer = nil
    }

    /// Sends one datagram now; false when the kernel refused it (full buffer, unreachable).
    @discardableResult
    package func send(_ bytes: UnsafeRawBufferPointer, to peer: DatagramPeer) -> Bool {
        guard descriptor >= 0 else { return false }
        if peer == connectedPeer {
            return Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT)) == bytes.count
        }
        return peer.withSockAddr { address, length in
            sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), address, length) == bytes.count
        }
    }

    /// Hands each datagram waiting on the socket to `handle` (its bytes, sender and kernel
    /// arrival time in nanoseconds of CLOCK_REALTIME), reading them in batches of `batch`.
    package func receiveWaiting(into batch: DatagramBatch, _ handle: (UnsafeRawBufferPointer, DatagramPeer, Int64) -> Void) {
        while descriptor >= 0 {
            let count = Int(sipdial_receive_datagrams(descriptor, batch.pointer))
            for i in 0..<max(count, 0) {
                let datagram = sipdial_batch_datagram(batch.pointer, UInt32(i)).pointee
                let arrival = datagram.arrival_nanoseconds != 0 ? datagram.arrival_nanoseconds : DatagramBatch.realtimeNanoseconds()
                handle(UnsafeRawBufferPointer(start: datagram.buffer, count: datagram.length),
                       DatagramPeer(storage: datagram.source, length: datagram.source_length), arrival)
            }
            if count < batch.count { return }
        }
    }
}

/// Scratch space for `DatagramSocket.receiveWaiting`: `count` buffers of 2,048 bytes (more
/// than any RTP packet sipdial accepts) and the recvmmsg headers pointing at them, made once
/// and shared by every socket of one event loop.
package final class DatagramBatch {
    package let count: Int
    fileprivate let pointer: OpaquePointer

    package init(count: Int = 16) {
        self.count = count
        guard let pointer = sipdial_batch_create(UInt32(count), 2048) else { fatalError("out of memory for a datagram batch") }
        self.pointer = pointer
    }

    deinit { sipdial_batch_free(pointer) }

    /// Now on CLOCK_REALTIME, the clock of kernel receive timestamps.
    package static func realtimeNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// A UDP peer's socket address as the kernel takes and gives it, kept inline so sending and
/// comparing a packet's source allocate nothing.
package struct DatagramPeer: Equatable {
    private var storage: sockaddr_storage
    private var length: socklen_t

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    package init(_ address: SocketAddress) {
        var storage = sockaddr_storage()
        var length: socklen_t = 0
        address.withSockAddr { pointer, size in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: size)) }
            length = socklen_t(size)
        }
        self.init(storage: storage, length: length)
    }

    package func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }

    /// Family, address and port (IPv6 also flow and scope); padding bytes do not count.
    package static func == (a: DatagramPeer, b: DatagramPeer) -> Bool {
        guard a.storage.ss_family == b.storage.ss_family else { return false }
        let significant = a.storage.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : 8
        guard a.length >= significant, b.length >= significant else { return a.length == b.length }
        return withUnsafeBytes(of: a.storage) { x in withUnsafeBytes(of: b.storage) { y in memcmp(x.baseAddress!, y.baseAddress!, significant) == 0 } }
    }

    package var port: Int {
        withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self))) }
    }

    /// "address:port", as the statistics report where RTP went.
    package var text: String {
        var host = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafeBytes(of: storage) { bytes in
            let family = Int32(storage.ss_family)
            // sin_addr sits at offset 4 of sockaddr_in, sin6_addr at offset 8 of sockaddr_in6.
            _ = inet_ntop(family, bytes.baseAddress! + (family == AF_INET6 ? 8 : 4), &host, socklen_t(host.count))
        }
        return "\(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(port)"
    }
}

extension DatagramSocket {
    /// A socket on `host` at a port from `ports` (the first free one of up to 64 tried): what
    /// a media stream of one socket, such as UDPTL, binds.
    package static func bind(host: String, ports: RTPPortAllocator) throws -> DatagramSocket {
        var lastError: Error?
        for _ in 0..<min(ports.pairCount, 64) {
            do { return try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: ports.candidate())) } catch { lastError = error }
        }
        throw lastError ?? ChannelError.unknownLocalAddress
    }
}
