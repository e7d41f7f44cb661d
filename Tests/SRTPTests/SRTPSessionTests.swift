import SDP
import SRTP
import Testing

/// `SRTPSession` over libsrtp2: for each suite a packet protected by one side is read back
/// by the other with the same key, its payload encrypted on the way; a flipped bit, another
/// key and a replay are refused; SRTCP likewise; a key of the wrong length is an error.
struct SRTPSessionTests {
    static let key = (0..<30).map { UInt8($0 * 7 & 0xFF) }

    /// An RTP packet: version 2, PCMU, sequence `sequence`, SSRC 0x11223344, 160 bytes of payload.
    static func packet(_ sequence: UInt16) -> [UInt8] {
        [0x80, 0x00, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x03, 0x20, 0x11, 0x22, 0x33, 0x44]
            + (0..<160).map { UInt8(($0 + Int(sequence)) & 0xFF) }
    }

    static func material(_ suite: SDESCrypto.Suite) -> [UInt8] { Array(key.prefix(suite.keyLength + suite.saltLength)) }

    @Test(arguments: SDESCrypto.Suite.allCases)
    func aProtectedPacketReadsBackWithTheSameKey(_ suite: SDESCrypto.Suite) throws {
        let sender = try SRTPSession(suite: suite, key: Self.material(suite), direction: .outbound)
        let receiver = try SRTPSession(suite: suite, key: Self.material(suite), direction: .inbound)
        for sequence: UInt16 in 1...5 {
            let plain = Self.packet(sequence)
            var wire = plain
            try sender.protect(&wire)
            let tag = suite == .aesCM128HMACSHA1_32 ? 4 : suite == .aeadAES128GCM ? 16 : 10
            #expect(wire.count == plain.count + tag, "\(suite): \(wire.count - plain.count) bytes of tag")
            #expect(Array(wire[0..<12]) == Array(plain[0..<12]), "the header stays clear")
            #expect(Array(wire[12..<172]) != Array(plain[12..<172]), "the payload is encrypted")
            try receiver.unprotect(&wire)
            #expect(wire == plain)
        }
    }

    @Test func forgedReplayedAndForeignPacketsAreRefused() throws {
        let suite = SDESCrypto.Suite.aesCM128HMACSHA1_80
        let sender = try SRTPSession(suite: suite, key: Self.material(suite), direction: .outbound)
        let receiver = try SRTPSession(suite: suite, key: Self.material(suite), direction: .inbound)
        var wire = Self.packet(10)
        try sender.protect(&wire)
        var forged = wire
        forged[40] ^= 0x01
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotect(&forged) }
        var good = wire
        try receiver.unprotect(&good)
        var again = wire
        #expect(throws: SRTPError.replayed) { try receiver.unprotect(&again) }
        let stranger = try SRTPSession(suite: suite, key: Self.material(suite).reversed(), direction: .inbound)
        var other = Self.packet(11)
        try sender.protect(&other)
        #expect(throws: SRTPError.authenticationFailed) { try stranger.unprotect(&other) }
        var short: [UInt8] = [0x80, 0]
        #expect(throws: SRTPError.tooShort(2)) { try receiver.unprotect(&short) }
        #expect(throws: SRTPError.keyLength(expected: 30, got: 28)) { try SRTPSession(suite: suite, key: Array(Self.key.prefix(28)), direction: .inbound) }
    }

    @Test func srtcpRoundTrips() throws {
        let suite = SDESCrypto.Suite.aesCM128HMACSHA1_32
        let sender = try SRTPSession(suite: suite, key: Self.material(suite), direction: .outbound)
        let receiver = try SRTPSession(suite: suite, key: Self.material(suite), direction: .inbound)
        // A receiver report with no blocks: V=2, PT=201, length 1, SSRC.
        let report: [UInt8] = [0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0]
        var wire = report
        try sender.protectRTCP(&wire)
        #expect(wire.count == report.count + 4 + 10, "SRTCP index and an 80-bit tag")
        try receiver.unprotectRTCP(&wire)
        #expect(wire == report)
    }
}
