import ArgumentParser
import SIPTransport

/// `--sip-trace FILE`: every SIP message sent and received, written to a pcap file.
struct SIPTraceOption: ParsableArguments {
    @Option(help: "Write every SIP message sent and received to this pcap file (tshark, Wireshark and sngrep open it; TCP and TLS messages appear in the clear, one datagram each).")
    var sipTrace: String?

    /// The trace file, created now; a usage error naming it when it cannot be written.
    func open() throws -> SIPTraceFile? {
        guard let sipTrace else { return nil }
        do { return try SIPTraceFile(path: sipTrace) } catch { throw ValidationError("--sip-trace: \(error)") }
    }
}
