import NIOCore
import SDP
import SRTP

/// The network side of one RTP session, apart from what its packets carry (the split of
/// pjmedia's transport and stream): an RTP socket on an even port and an RTCP socket on the
/// port above it (RFC 3550 §11), where each goes, RTCP taken off the RTP port under rtcp-mux
/// (RFC 5761 §4), and symmetric RTP (RFC 4961): once the stream accepts a packet, sending
/// follows its source and the socket takes RTP from there only. With SRTP keys (RFC 3711,
/// SDES), every RTP and RTCP packet is protected on its way out and checked and decrypted
/// on its way in, so the stream above sees plain RTP either way. Any stream whose packets go
/// over UDP (audio today, a fax stream's UDPTL next) uses it.
///
/// Confined to its stream's event loop, like the stream; `close` before dropping it.
final class RTPTransport {
    /// Where a negotiated stream sends RTP and RTCP.
    struct Destination {
        var rtp: DatagramPeer
        var rtcp: DatagramPeer
        var rtcpMux: Bool
        /// As the SDP gave it, "address:port".
        var text: String

        /// `address` is numeric: it comes from SDP.
        init(address: String, rtpPort: Int, rtcpPort: Int, rtcpMux: Bool) throws {
            rtp = try DatagramPeer(SocketAddress(ipAddress: address, port: rtpPort))
            rtcp = try DatagramPeer(SocketAddress(ipAddress: address, port: rtcpPort))
            (self.rtcpMux, text) = (rtcpMux, "\(address):\(rtpPort)")
        }
    }

    private let rtpSocket: DatagramSocket
    private let rtcpSocket: DatagramSocket
    /// Where RTP goes: the destination's, then the source of the first packet accepted.
    private var remote: DatagramPeer?
    private var destination: Destination?
    /// Read per tick and per packet: kept apart from the 128-byte peers.
    private(set) var hasRemote = false
    private var rtcpMux = false
    private var latched = false
    /// SRTP for both directions, while the stream is secure.
    private var srtp: SRTPStreamCrypto?

    /// Binds RTP on an even port from `ports` and RTCP on the port above it, on `host`; a
    /// pair that is taken is skipped.
    static func bind(host: String, ports: RTPPortAllocator) throws -> RTPTransport {
        var lastError: Error?
        for _ in 0..<min(ports.pairCount, 64) {
            let port = ports.candidate()
            do {
                let rtp = try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: port))
                do {
                    return RTPTransport(rtp: rtp, rtcp: try DatagramSocket(bindingTo: SocketAddress(ipAddress: host, port: port + 1)))
                } catch {
                    rtp.close()
                    lastError = error
                }
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChannelError.unknownLocalAddress
    }

    private init(rtp: DatagramSocket, rtcp: DatagramSocket) {
        (rtpSocket, rtcpSocket) = (rtp, rtcp)
    }

    var localPort: Int { rtpSocket.localPort }

    /// Sends to `destination` from now on (the answer, or a re-offer's new address): it wins
    /// over the latched source until packets come from it, so the RTP socket is reopened.
    func send(to destination: Destination) {
        self.destination = destination
        remote = destination.rtp
        (hasRemote, rtcpMux, latched) = (true, destination.rtcpMux, false)
        rtpSocket.disconnect()
    }

    /// Secures the stream with `crypto`'s keys from now on (a direction whose key changed is
    /// rekeyed), or sends and takes plain RTP again with nil.
    func secure(with crypto: SRTPStreamCrypto?) {
        guard let crypto else { return srtp = nil }
        if let srtp { srtp.adopt(crypto) } else { srtp = crypto }
    }

    /// The SRTP suite in use, when the stream is secure.
    var srtpSuite: SDESCrypto.Suite? { srtp?.keys.suite }

    /// SRTP and SRTCP packets refused (failed authentication or replayed).
    var srtpRefused: UInt64 { srtp?.refused ?? 0 }

    /// Sends one RTP packet to the remote; false when it could not go.
    func sendRTP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let remote else { return false }
        guard let srtp else { return rtpSocket.send(bytes, to: remote) }
        return srtp.sealRTP(bytes) { rtpSocket.send($0, to: remote) }
    }

    /// Sends one compound RTCP packet: on the RTCP socket to the peer's RTCP port, or with
    /// rtcp-mux on the RTP socket to where RTP goes.
    func sendRTCP(_ bytes: [UInt8]) {
        guard let destination else { return }
        let (socket, target) = destination.rtcpMux ? (rtpSocket, remote ?? destination.rtcp) : (rtcpSocket, destination.rtcp)
        bytes.withUnsafeBytes { packet in
            guard let srtp else { return _ = socket.send(packet, to: target) }
            _ = srtp.sealRTCP(packet) { socket.send($0, to: target) }
        }
    }

    /// Reads what arrived on the RTP socket: under rtcp-mux, packets of payload type 200-204
    /// go to `rtcp` (RFC 5761 §4), the rest to `rtp`, each with its arrival (CLOCK_REALTIME ns).
    func receiveRTP(into batch: DatagramBatch, rtp: (UnsafeRawBufferPointer, DatagramPeer, Int64) -> Void,
                    rtcp: (UnsafeRawBufferPointer, Int64) -> Void) {
        let mux = rtcpMux
        rtpSocket.receiveWaiting(into: batch) { bytes, source, arrival in
            if mux, bytes.count > 1, (200...204).contains(bytes[1]) {
                guard let srtp else { return rtcp(bytes, arrival) }
                srtp.openRTCP(bytes) { rtcp($0, arrival) }
            } else {
                guard let srtp else { return rtp(bytes, source, arrival) }
                srtp.openRTP(bytes) { rtp($0, source, arrival) }
            }
        }
    }

    /// Reads what arrived on the RTCP socket (nothing comes there under rtcp-mux).
    func receiveRTCP(into batch: DatagramBatch, _ rtcp: (UnsafeRawBufferPointer, Int64) -> Void) {
        rtcpSocket.receiveWaiting(into: batch) { bytes, _, arrival in
            guard let srtp else { return rtcp(bytes, arrival) }
            srtp.openRTCP(bytes) { rtcp($0, arrival) }
        }
    }

    /// Whether sending follows the first packet accepted already (symmetric RTP).
    var isLatched: Bool { latched }

    /// The stream accepted the first packet since `send(to:)`, from `source`: sending follows
    /// it and the RTP socket takes packets from it only. True when the remote moved.
    func latch(to source: DatagramPeer) -> Bool {
        latched = true
        _ = rtpSocket.connect(to: source)
        guard source != remote else { return false }
        remote = source
        return true
    }

    func close() {
        rtpSocket.close()
        rtcpSocket.close()
    }
}
