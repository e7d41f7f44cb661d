import Media
import NIOCore
import T38

/// A fax over T.38 on a real socket (ITU-T T.38 §9: IFP packets in UDPTL over UDP): one UDP
/// socket on a media event loop, a `T38FaxTerminal`, and the UDPTL sender and receiver of
/// the agreed error recovery. Every 20 ms on the loop (absolute deadlines, as the media
/// clock keeps) it reads what arrived, hands the IFPs to the terminal and lets the terminal's
/// clock run; what the terminal sends goes out at once. The socket takes datagrams from the
/// far end's address only (connect(2)); malformed ones are counted and dropped.
///
/// Bound when this side offers or answers T.38 (its port goes into the SDP), started once
/// the far end's address is known, stopped when the call ends. The methods may be called
/// from anywhere; `onResult` runs once on the event loop when T.30 phase E has given the
/// result.
public final class T38FaxPort: @unchecked Sendable {
    private let eventLoop: EventLoop
    public let localPort: Int
    private let host: String
    private let socket: DatagramSocket
    private let batch = DatagramBatch(count: 8)
    private var terminal: T38FaxTerminal?
    private var sender = UDPTLSender(scheme: .none, maximumDatagram: 400)
    private var receiver = UDPTLReceiver()
    private var remote: DatagramPeer?
    private var task: Scheduled<Void>?
    private var start = NIODeadline.uptimeNanoseconds(0)
    private var ticks: Int64 = 0
    private var onResult: (@Sendable (FaxResult) -> Void)?
    /// Where the datagrams both ways are recorded, with the two ends' addresses.
    private var capture: (file: UDPCapture, local: UDPCapture.Endpoint, remote: UDPCapture.Endpoint)?
    private static let period = TimeAmount.milliseconds(20)
    /// The share of datagrams dropped, at random, instead of sent: a lossy network for tests
    /// and benchmarks (`FaxLiveBenchmark`). Set before `start`.
    public var dropsSent = 0.0

    /// Binds a UDP port from `ports` on `host`, on one of `group`'s loops.
    public init(host: String, ports: RTPPortAllocator, group: EventLoopGroup) throws {
        socket = try DatagramSocket.bind(host: host, ports: ports)
        localPort = socket.localPort
        self.host = host
        eventLoop = group.next()
    }

    /// Starts the fax toward `stream`'s far end; with `capture`, every datagram either way is
    /// written to that pcap file (IPv4 streams).
    public func start(_ stream: T38Stream, calling: Bool, role: FaxRole, settings: FaxSettings, capture path: String? = nil,
                      onResult: @escaping @Sendable (FaxResult) -> Void) throws {
        let peer = DatagramPeer(try SocketAddress(ipAddress: stream.remoteAddress, port: stream.remotePort))
        let file = try path.map { try UDPCapture(path: $0) }
        let ends = (UDPCapture.Endpoint(host: host, port: localPort), UDPCapture.Endpoint(host: stream.remoteAddress, port: stream.remotePort))
        eventLoop.execute { [self] in
            guard task == nil, terminal == nil else { return }
            if let file, let local = ends.0, let remote = ends.1 { capture = (file, local, remote) }
            remote = peer
            socket.connect(to: peer)
            sender = UDPTLSender(scheme: stream.scheme, maximumDatagram: stream.remoteMaxDatagram)
            self.onResult = onResult
            terminal = T38FaxTerminal(calling: calling, role: role, settings: stream.settings(settings)) { [unowned self] ifp in send(ifp) }
            start = eventLoop.now
            ticks = 0
            schedule()
        }
    }

    /// Stops the clock and closes the socket; a fax still under way ends as a dropped call
    /// (T.30's code) with the pages it got so far. The terminal's result (nil when it never
    /// started).
    public func stop() -> EventLoopFuture<FaxResult?> {
        eventLoop.submit { [self] in
            task?.cancel()
            task = nil
            terminal?.callEnded()
            socket.close()
            return terminal?.result
        }
    }

    private func send(_ ifp: [UInt8]) {
        guard let remote else { return }
        let datagram = sender.datagram(for: ifp)
        if let capture { capture.file.record(datagram, from: capture.local, to: capture.remote) }
        if dropsSent > 0, Double.random(in: 0..<1) < dropsSent { return }
        datagram.withUnsafeBytes { _ = socket.send($0, to: remote) }
    }

    private func schedule() {
        ticks += 1
        var deadline = start + Self.period * ticks
        if eventLoop.now - deadline > Self.period * 5 {
            // After a stall, the grid restarts from now rather than bursting to catch up.
            start = eventLoop.now
            ticks = 0
            deadline = start
        }
        task = eventLoop.scheduleTask(deadline: deadline) { [weak self] in self?.tick() }
    }

    private func tick() {
        guard let terminal else { return }
        socket.receiveWaiting(into: batch) { bytes, _, _ in
            if let capture { capture.file.record(bytes, from: capture.remote, to: capture.local) }
            for (sequence, ifp) in receiver.receive(bytes) { terminal.receive(ifp: ifp, sequence: sequence) }
        }
        terminal.tick()
        if let result = terminal.result, let onResult {
            self.onResult = nil
            onResult(result)
        }
        if task != nil { schedule() }
    }
}
