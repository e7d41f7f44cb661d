import Testing
@testable import T38

/// The UDPTL datagram (T.38 §9.1) byte by byte: the PER encoding as the field writes it,
/// round trips of both recovery schemes, and refusals that name where the datagram is wrong.
struct UDPTLPacketTests {
    @Test func aRedundantDatagramIsEncodedAsTheFieldWritesIt() throws {
        let packet = UDPTLPacket(sequence: 0x0102, primary: [0xAA, 0xBB], recovery: .redundancy([[0xCC], []]))
        // Sequence, primary as length + octets, 0x00 (redundancy), count 2, then each
        // secondary (the empty one as a single zero octet, T.38 §10.1).
        #expect(packet.bytes == [0x01, 0x02, 0x02, 0xAA, 0xBB, 0x00, 0x02, 0x01, 0xCC, 0x01, 0x00])
        let read = try UDPTLPacket(parsing: packet.bytes)
        #expect(read.sequence == 0x0102 && read.primary == [0xAA, 0xBB] && read.recovery == .redundancy([[0xCC], [0x00]]))
    }

    @Test func anFECDatagramCarriesItsSpanAndEntries() throws {
        let packet = UDPTLPacket(sequence: 65535, primary: [1, 2, 3], recovery: .fec(span: 3, entries: [[9, 9], [7]]))
        #expect(packet.bytes == [0xFF, 0xFF, 0x03, 1, 2, 3, 0x80, 0x01, 0x03, 0x02, 0x02, 9, 9, 0x01, 7])
        #expect(try UDPTLPacket(parsing: packet.bytes) == packet)
    }

    @Test func longIFPsTakeTwoLengthOctets() throws {
        let long = (0..<300).map { UInt8($0 & 0xFF) }
        let packet = UDPTLPacket(sequence: 7, primary: long, recovery: .redundancy([Array(long.prefix(127)), Array(long.prefix(128))]))
        let bytes = packet.bytes
        #expect(Array(bytes[2...3]) == [0x81, 0x2C], "300 = 0x12C with the two-octet form's 0x80")
        #expect(try UDPTLPacket(parsing: bytes) == packet)
        #expect(UDPTLPacket.encodedSize(long) == 302 && UDPTLPacket.encodedSize([]) == 2 && UDPTLPacket.encodedSize([1]) == 2)
    }

    @Test(arguments: [
        ([0x00], 1, "ends early"),
        ([0x00, 0x01, 0x05, 0xAA], 3, "an open type of 5 octets with 1 left"),
        ([0x00, 0x01, 0x01, 0xAA], 4, "ends early"),
        ([0x00, 0x01, 0x01, 0xAA, 0x00, 0x00, 0xFF], 6, "1 octets after the packet"),
        ([0x00, 0x01, 0xC1, 0xAA], 2, "fragmented length (16384 octets or more)"),
        ([0x00, 0x01, 0x01, 0xAA, 0x00, 0x11], 6, "17 secondary packets (at most 16)"),
        ([0x00, 0x01, 0x01, 0xAA, 0x80, 0x02, 0x00, 0x03], 6, "FEC span longer than one octet"),
        ([0x00, 0x01, 0x01, 0xAA, 0x80, 0x01, 0x03, 0x09], 8, "9 FEC entries (at most 8)"),
    ] as [([UInt8], Int, String)])
    func malformedDatagramsAreRefusedSayingWhere(bytes: [UInt8], offset: Int, problem: String) {
        #expect(throws: UDPTLPacket.Invalid(offset: offset, problem: problem)) { try UDPTLPacket(parsing: bytes) }
    }

    @Test func anOversizeDatagramIsRefused() {
        #expect(throws: UDPTLPacket.Invalid(offset: 0, problem: "longer than 1500 octets")) {
            try UDPTLPacket(parsing: [UInt8](repeating: 0, count: 1501))
        }
    }
}
