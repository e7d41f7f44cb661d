import Foundation
import NIOCore
import RTP

/// RTCP for the stream (RFC 3550 §6): a report every `rtcpInterval` seconds on average,
/// randomized 0.5-1.5× (§6.3), BYE at the end, and the peer's reports read for the RTT.
/// The media clock drives it (`controlTick`), so the stream keeps no timer of its own.
extension RTPAudioStream {
    /// When the next report is due, `rtcpInterval` × 0.5-1.5 after `now`; nil for none.
    func nextReportTime(after now: NIODeadline) -> NIODeadline? {
        guard let parameters, parameters.rtcpInterval > 0 else { return nil }
        return now + .nanoseconds(Int64(parameters.rtcpInterval * Double.random(in: 0.5...1.5) * 1e9))
    }

    /// Reads the RTCP socket (without rtcp-mux) and sends a report when one is due.
    func controlTick(into batch: DatagramBatch, now: NIODeadline) {
        transport.receiveRTCP(into: batch) { bytes, arrival in receiveRTCP(bytes, arrival: arrival) }
        if let due = nextReport, due <= now {
            sendReport()
            nextReport = nextReportTime(after: now)
        }
    }

    func sendReport() {
        guard parameters != nil else { return }
        let report = rtcp.makeReport(now: Date().timeIntervalSince1970, rtpTimestamp: timestamp, packetsSent: statistics.packetsSent,
                                     octetsSent: statistics.octetsSent, sentSinceLastReport: sentSinceReport, reception: &reception)
        sentSinceReport = false
        transport.sendRTCP(report)
    }

    /// A compound RTCP packet that arrived at `arrival` (CLOCK_REALTIME ns, the clock of the
    /// reports' NTP timestamps, so the RTT does not include the wait for the next tick).
    func receiveRTCP(_ bytes: UnsafeRawBufferPointer, arrival: Int64) {
        guard parameters != nil else { return }
        if !rtcp.receive(bytes, now: Double(arrival) / 1e9) { statistics.packetsDropped += 1 }
    }
}
