import SDP

/// Both directions of one call's SRTP (RFC 3711): the packets this side sends are protected
/// with its own key, those it receives checked and decrypted with the peer's (RFC 4568
/// §6.1), RTP and RTCP alike. A new key for one direction (a re-INVITE, RFC 4568 §7.1.4)
/// replaces that direction's session only (`adopt`), so the other keeps its rollover counter.
///
/// Packets are copied into buffers kept for the stream's life: no allocation per packet.
/// Not thread-safe: made anywhere, then handed to its stream's event loop, which alone uses it.
public final class SRTPStreamCrypto: @unchecked Sendable {
    public private(set) var keys: NegotiatedSRTP
    private var outbound: SRTPSession
    private var inbound: SRTPSession
    /// One buffer per direction, so a packet handed on while being read never shares one
    /// with a packet being sent.
    private var sending: [UInt8] = []
    private var receiving: [UInt8] = []
    /// Packets refused: forged, replayed, or under another key.
    public private(set) var refused: UInt64 = 0

    public init(_ keys: NegotiatedSRTP) throws(SRTPError) {
        self.keys = keys
        outbound = try SRTPSession(suite: keys.suite, key: keys.sendKey, direction: .outbound)
        inbound = try SRTPSession(suite: keys.suite, key: keys.receiveKey, direction: .inbound)
        sending.reserveCapacity(Self.capacity)
        receiving.reserveCapacity(Self.capacity)
    }

    /// Takes on `fresh`'s keys: a direction whose suite or key changed takes `fresh`'s
    /// session, one whose key stayed keeps its own (and its rollover counter and replay window).
    public func adopt(_ fresh: SRTPStreamCrypto) {
        let suiteChanged = fresh.keys.suite != keys.suite
        if suiteChanged || fresh.keys.sendKey != keys.sendKey { outbound = fresh.outbound }
        if suiteChanged || fresh.keys.receiveKey != keys.receiveKey { inbound = fresh.inbound }
        keys = fresh.keys
    }

    /// Protects an RTP packet and hands the SRTP packet to `send` (valid during the call only).
    public func sealRTP(_ packet: UnsafeRawBufferPointer, _ send: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        seal(packet, with: outbound.protect, send)
    }

    /// As `sealRTP`, for a compound RTCP packet (SRTCP, RFC 3711 §3.4).
    public func sealRTCP(_ packet: UnsafeRawBufferPointer, _ send: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        seal(packet, with: outbound.protectRTCP, send)
    }

    /// Checks and decrypts an SRTP packet and hands the RTP packet to `deliver`; a packet
    /// that fails is counted in `refused` and dropped.
    public func openRTP(_ packet: UnsafeRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) {
        open(packet, with: inbound.unprotect, deliver)
    }

    /// As `openRTP`, for SRTCP.
    public func openRTCP(_ packet: UnsafeRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) {
        open(packet, with: inbound.unprotectRTCP, deliver)
    }

    /// A datagram's largest size, with room for the tag.
    private static let capacity = 2048

    private func seal(_ packet: UnsafeRawBufferPointer, with protect: (inout [UInt8]) throws(SRTPError) -> Void,
                      _ send: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard packet.count + SRTPSession.maximumTrailer <= Self.capacity else { return false }
        sending.removeAll(keepingCapacity: true)
        sending.append(contentsOf: packet)
        do { try protect(&sending) } catch { return false }
        return sending.withUnsafeBytes(send)
    }

    private func open(_ packet: UnsafeRawBufferPointer, with unprotect: (inout [UInt8]) throws(SRTPError) -> Void,
                      _ deliver: (UnsafeRawBufferPointer) -> Void) {
        guard packet.count <= Self.capacity else { refused += 1; return }
        receiving.removeAll(keepingCapacity: true)
        receiving.append(contentsOf: packet)
        do { try unprotect(&receiving) } catch {
            refused += 1
            return
        }
        receiving.withUnsafeBytes(deliver)
    }
}
