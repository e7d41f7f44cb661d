import Foundation
import NIOCore

/// Every SIP message sent and received, written to a pcap file that tshark, Wireshark and
/// sngrep open (`--sip-trace FILE`): one Ethernet frame per message, with an IPv4 or IPv6
/// header and a UDP header between the real addresses and ports. Messages that went over TCP
/// or TLS are written the same way, one datagram each and in the clear (the trace shows SIP,
/// not its transport), so a TLS call's signaling can be read too.
///
/// Writes go to a serial queue, off the event loop; `close` flushes them. Safe to share
/// between transports (a load test's shards write to one file).
public final class SIPTraceFile: Sendable {
    private let queue = DispatchQueue(label: "sipdial.sip-trace")
    private let handle: FileHandle

    /// Creates (or truncates) `path` and writes the pcap header; throws naming the file.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Self.fileHeader), let handle = FileHandle(forWritingAtPath: path) else {
            throw SIPTraceError.cannotWrite(path)
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    /// Adds one message that went from `source` to `destination` now.
    public func record(_ message: [UInt8], from source: SocketAddress, to destination: SocketAddress) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        guard let frame = Self.frame(message, from: source, to: destination, seconds: UInt32(truncatingIfNeeded: now.tv_sec),
                                     microseconds: UInt32(now.tv_nsec / 1000)) else { return }
        queue.async { [handle] in try? handle.write(contentsOf: frame) }
    }

    /// Writes what is queued and closes the file.
    public func close() {
        queue.sync { try? handle.close() }
    }

    /// The pcap global header: magic, version 2.4, no time zone, snap length 65,535,
    /// LINKTYPE_ETHERNET.
    static let fileHeader: Data = {
        var header = Data()
        header.appendLittleEndian(UInt32(0xA1B2_C3D4))
        header.appendLittleEndian(UInt16(2))
        header.appendLittleEndian(UInt16(4))
        header.appendLittleEndian(UInt32(0))
        header.appendLittleEndian(UInt32(0))
        header.appendLittleEndian(UInt32(65_535))
        header.appendLittleEndian(UInt32(1))
        return header
    }()

    /// One pcap record: its header, then an Ethernet frame (zero MACs) carrying the message
    /// in UDP over IPv4 or IPv6; nil when the addresses are not both IP of one family.
    static func frame(_ message: [UInt8], from source: SocketAddress, to destination: SocketAddress, seconds: UInt32, microseconds: UInt32) -> Data? {
        let payload = message.prefix(65_000)
        var udp = Data()
        guard let sourcePort = source.port, let destinationPort = destination.port else { return nil }
        udp.appendBigEndian(UInt16(sourcePort))
        udp.appendBigEndian(UInt16(destinationPort))
        udp.appendBigEndian(UInt16(8 + payload.count))
        udp.appendBigEndian(UInt16(0))  // no checksum (allowed over IPv4; readers do not check it)
        udp.append(contentsOf: payload)
        var ip = Data()
        let etherType: UInt16
        switch (source, destination) {
        case (.v4(let a), .v4(let b)):
            etherType = 0x0800
            ip.append(contentsOf: [0x45, 0])
            ip.appendBigEndian(UInt16(20 + udp.count))
            ip.append(contentsOf: [0, 0, 0x40, 0, 64, 17, 0, 0])
            withUnsafeBytes(of: a.address.sin_addr) { ip.append(contentsOf: $0) }
            withUnsafeBytes(of: b.address.sin_addr) { ip.append(contentsOf: $0) }
            let checksum = Self.checksum(ip)
            ip[10] = UInt8(checksum >> 8)
            ip[11] = UInt8(checksum & 0xFF)
        case (.v6(let a), .v6(let b)):
            etherType = 0x86DD
            ip.append(contentsOf: [0x60, 0, 0, 0])
            ip.appendBigEndian(UInt16(udp.count))
            ip.append(contentsOf: [17, 64])
            withUnsafeBytes(of: a.address.sin6_addr) { ip.append(contentsOf: $0) }
            withUnsafeBytes(of: b.address.sin6_addr) { ip.append(contentsOf: $0) }
        default:
            return nil
        }
        var frame = Data(count: 12)
        frame.appendBigEndian(etherType)
        frame.append(ip)
        frame.append(udp)
        var record = Data()
        record.appendLittleEndian(seconds)
        record.appendLittleEndian(microseconds)
        record.appendLittleEndian(UInt32(frame.count))
        record.appendLittleEndian(UInt32(frame.count))
        record.append(frame)
        return record
    }

    /// The IPv4 header checksum (RFC 791): the ones' complement of the ones' complement sum.
    static func checksum(_ header: Data) -> UInt16 {
        var sum: UInt32 = 0
        var index = header.startIndex
        while index + 1 < header.endIndex {
            sum += UInt32(header[index]) << 8 | UInt32(header[index + 1])
            index += 2
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

public enum SIPTraceError: Error, Sendable, CustomStringConvertible {
    case cannotWrite(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path): "cannot write the SIP trace to \(path)"
        }
    }
}

private extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
