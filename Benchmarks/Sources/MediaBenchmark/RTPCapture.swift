import Foundation
import Media

/// A pcap file (Ethernet, IPv4, UDP) of `audio` sent as PCMA RTP at exactly 20 ms per packet:
/// what SIPp's UAC replays (`play_pcap_audio`) so both sides of the benchmark send the same
/// audio with the same packetization. SIPp rewrites the addresses and ports when it plays.
enum RTPCapture {
    /// Writes the capture to `path` and returns its duration in milliseconds.
    static func write(_ audio: [Int16], to path: String) throws -> Int {
        var out: [UInt8] = []
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
        func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
        // Global header: magic, version 2.4, zone, accuracy, snaplen, link type 1 (Ethernet).
        le32(0xa1b2_c3d4); le16(2); le16(4); le32(0); le32(0); le32(65_535); le32(1)
        let frames = audio.count / AudioFormat.frameSamples
        var payload = [UInt8](repeating: 0, count: AudioFormat.frameSamples)
        for n in 0..<frames {
            audio[(n * 160)..<((n + 1) * 160)].withUnsafeBufferPointer { samples in
                payload.withUnsafeMutableBufferPointer { G711.encode(samples, law: .aLaw, into: $0) }
            }
            let rtp: [UInt8] = [0x80, 8] + be16(UInt16(n & 0xffff)) + be32(UInt32(n * 160)) + be32(0x5151_5151) + payload
            let udp: [UInt8] = be16(6000) + be16(6002) + be16(UInt16(8 + rtp.count)) + [0, 0] + rtp
            let ipHeader: [UInt8] = [0x45, 0] + be16(UInt16(20 + udp.count)) + [0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]
            let frame: [UInt8] = Array(repeating: 0, count: 12) + [0x08, 0x00] + ipHeader + udp
            let microseconds = n * 20_000
            le32(UInt32(microseconds / 1_000_000)); le32(UInt32(microseconds % 1_000_000))
            le32(UInt32(frame.count)); le32(UInt32(frame.count))
            out += frame
        }
        try Data(out).write(to: URL(fileURLWithPath: path))
        return frames * 20
    }
}
