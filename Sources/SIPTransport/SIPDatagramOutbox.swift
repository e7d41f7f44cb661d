import CDatagram
import Glibc
import NIOCore

/// The sending side of one UDP listener (RFC 3261 §18): datagrams queued while the event
/// loop works are sent together, with sendmmsg(2), once the loop has finished what it is
/// doing.
///
/// It writes to the listener's socket itself instead of through NIO's channel because NIO
/// closes a datagram channel on any send error but EMSGSIZE and EHOSTUNREACH: one response
/// addressed to port 0 (EINVAL), a broadcast address (EACCES) or a network with no route
/// (ENETUNREACH) closed the listener, and SIP went silent for good. Here a datagram the
/// kernel refuses fails its own promise with that errno, the rest of the batch is still
/// sent, and reading (NIO's side of the same socket) never stops.
///
/// Loop-bound: use it only on `eventLoop`.
final class SIPDatagramOutbox: @unchecked Sendable {
    private struct Pending {
        var bytes: [UInt8]
        var destination: SocketAddress
        var promise: EventLoopPromise<Void>?
    }

    private let eventLoop: EventLoop
    private let queueLimit: Int
    private let refused: (SocketAddress, Error) -> Void
    /// -1 once the channel that owns the socket has closed it.
    private var descriptor: Int32
    private var queue: [Pending] = []
    private var flushPending = false
    /// The batch handed to C, kept between flushes: items and one copy of their bytes.
    private var items: [sipdial_outgoing] = []
    private var scratch: [UInt8] = []

    /// - Parameters:
    ///   - descriptor: the listener's socket; the channel owns it and closes it.
    ///   - queueLimit: datagrams that may wait for room in the socket's send buffer; past
    ///     that a send fails with `SIPTransportError.sendQueueFull`.
    ///   - refused: told of each datagram the kernel refused, with its errno.
    init(descriptor: Int32, eventLoop: EventLoop, queueLimit: Int, refused: @escaping (SocketAddress, Error) -> Void) {
        self.descriptor = descriptor
        self.eventLoop = eventLoop
        self.queueLimit = max(queueLimit, 1)
        self.refused = refused
    }

    /// Queues a datagram; it leaves when the loop is done with its current work. The
    /// promise succeeds once the kernel took it and fails with the errno it was refused with;
    /// a destination no peer can be at (`UnusableDestination`) and a full queue fail it at
    /// once. Every failure but a closed socket is also told to `refused`.
    func send(_ bytes: [UInt8], to destination: SocketAddress, promise: EventLoopPromise<Void>?) {
        eventLoop.assertInEventLoop()
        guard descriptor >= 0 else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let refusal: SIPTransportError? = if let reason = UnusableDestination(destination) {
            .unusableDestination(reason)
        } else if queue.count >= queueLimit {
            .sendQueueFull
        } else {
            nil
        }
        if let refusal {
            refused(destination, refusal)
            promise?.fail(refusal)
            return
        }
        queue.append(Pending(bytes: bytes, destination: destination, promise: promise))
        scheduleFlush(after: nil)
    }

    /// The channel closed the socket: what is still queued fails.
    func socketClosed() {
        eventLoop.assertInEventLoop()
        descriptor = -1
        let failed = queue
        queue.removeAll()
        for pending in failed { pending.promise?.fail(ChannelError.ioOnClosedChannel) }
    }

    private func scheduleFlush(after delay: TimeAmount?) {
        guard !flushPending else { return }
        flushPending = true
        if let delay {
            eventLoop.scheduleTask(in: delay) { self.flush() }
        } else {
            eventLoop.execute { self.flush() }
        }
    }

    private func flush() {
        flushPending = false
        guard descriptor >= 0, !queue.isEmpty else { return }
        let handled = sendQueued()
        // Taken off the queue before any promise runs: its callbacks may queue more.
        let done = Array(queue[..<handled])
        queue.removeFirst(handled)
        for (pending, item) in zip(done, items) {
            if item.error == 0 {
                pending.promise?.succeed()
            } else {
                let error = IOError(errnoCode: item.error, reason: "sendmmsg to \(pending.destination)")
                refused(pending.destination, error)
                pending.promise?.fail(error)
            }
        }
        // The send buffer is full: try again shortly rather than spin.
        if !queue.isEmpty { scheduleFlush(after: .milliseconds(1)) }
    }

    /// Hands the queue to sendmmsg; returns how many datagrams were sent or refused (their
    /// outcome is in `items`, in the same order).
    private func sendQueued() -> Int {
        items.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        for pending in queue {
            var item = sipdial_outgoing()
            item.length = pending.bytes.count
            pending.destination.withSockAddr { address, length in
                withUnsafeMutableBytes(of: &item.destination) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: length)) }
                item.destination_length = socklen_t(length)
            }
            items.append(item)
            scratch.append(contentsOf: pending.bytes)
        }
        let descriptor = self.descriptor
        return scratch.withUnsafeBytes { bytes in
            var offset = 0
            for i in items.indices {
                items[i].bytes = UnsafeRawPointer(bytes.baseAddress.map { $0 + offset })
                offset += items[i].length
            }
            return items.withUnsafeMutableBufferPointer { Int(sipdial_send_datagrams(descriptor, $0.baseAddress, UInt32($0.count))) }
        }
    }
}
