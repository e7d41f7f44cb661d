import Foundation

/// A capture of one UDP stream's datagrams as a classic pcap file (link type 101, raw IP:
/// each record an IPv4 header, a UDP header and the payload as it went on the wire), so
/// Wireshark or tshark decode a fax's UDPTL and T.30 frames (`fax send --capture`). The
/// headers are made here from the stream's addresses; only IPv4 streams are captured.
/// Used from one thread at a time (the media loop it is handed to).
public final class UDPCapture: @unchecked Sendable {
    public struct Endpoint: Sendable, Equatable {
        var address: [UInt8]
        var port: UInt16

        /// Nil for anything but a dotted IPv4 address and a port.
        public init?(host: String, port: Int) {
            let parts = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
            guard parts.count == 4, (0...65_535).contains(port) else { return nil }
            (address, self.port) = (parts, UInt16(port))
        }
    }

    private let handle: FileHandle
    private var identification: UInt16 = 0

    /// Creates (or empties) the file at `path` and writes the pcap header.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        // Magic (microseconds), version 2.4, zone 0, sigfigs 0, snaplen 65535, link type 101.
        var header = Self.little(UInt32(0xA1B2_C3D4)) + Self.little(UInt16(2)) + Self.little(UInt16(4))
        for value: UInt32 in [0, 0, 65_535, 101] { header += Self.little(value) }
        try handle.write(contentsOf: header)
    }

    deinit { try? handle.close() }

    /// Records one datagram from `source` to `destination`, stamped now.
    public func record(_ payload: some Collection<UInt8>, from source: Endpoint, to destination: Endpoint) {
        let length = 20 + 8 + payload.count
        guard length <= 65_535 else { return }
        identification &+= 1
        var ip: [UInt8] = [0x45, 0] + Self.big(UInt16(length)) + Self.big(identification) + [0x40, 0, 64, 17, 0, 0]
        ip += source.address + destination.address
        let checksum = Self.checksum(ip)
        (ip[10], ip[11]) = (UInt8(checksum >> 8), UInt8(checksum & 0xFF))
        let udp = Self.big(source.port) + Self.big(destination.port) + Self.big(UInt16(8 + payload.count)) + [0, 0]
        let now = Date().timeIntervalSince1970
        var record = Self.little(UInt32(now)) + Self.little(UInt32((now - now.rounded(.down)) * 1_000_000))
        record += Self.little(UInt32(length)) + Self.little(UInt32(length))
        try? handle.write(contentsOf: record + ip + udp + Array(payload))
    }

    /// RFC 791 §3.1: the ones' complement of the ones' complement sum of the header's words.
    private static func checksum(_ header: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: header.count, by: 2) { sum += UInt32(header[i]) << 8 | UInt32(header[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func little<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
    private static func big<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}
