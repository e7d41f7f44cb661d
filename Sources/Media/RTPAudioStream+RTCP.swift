import Foundation
import NIOCore
import RTP

/// RTCP for the stream (RFC 3550 §6): a report every `rtcpInterval` seconds on average,
/// randomized 0.5-1.5× (§6.3), BYE at the end, and the peer's reports read for the RTT.
extension RTPAudioStream {
    func scheduleReport() {
        guard let parameters, parameters.rtcpInterval > 0 else { return }
        let delay = parameters.rtcpInterval * Double.random(in: 0.5...1.5)
        rtcpTimer = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) { [weak self] in self?.sendReport() }
    }

    func sendReport() {
        guard parameters != nil else { return }
        let report = rtcp.makeReport(now: Date().timeIntervalSince1970, rtpTimestamp: timestamp, packetsSent: statistics.packetsSent,
                                     octetsSent: statistics.octetsSent, sentSinceLastReport: sentSinceReport, reception: &reception)
        sentSinceReport = false
        sendRTCP(report)
        scheduleReport()
    }

    /// Sends on the RTCP socket, or on the RTP socket with rtcp-mux.
    func sendRTCP(_ bytes: [UInt8]) {
        guard let parameters, let rtcpRemote else { return }
        let target = parameters.rtcpMux ? (remote ?? rtcpRemote) : rtcpRemote
        let out = parameters.rtcpMux ? channel : rtcpChannel
        out.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: out.allocator.buffer(bytes: bytes)), promise: nil)
    }

    func receiveRTCP(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard parameters != nil else { return }
        let now = Date().timeIntervalSince1970
        let valid = envelope.data.withUnsafeReadableBytes { rtcp.receive($0, now: now) }
        if !valid { statistics.packetsDropped += 1 }
    }
}
