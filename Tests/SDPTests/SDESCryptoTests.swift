import Foundation
import SDP
import Testing

/// `a=crypto` (RFC 4568 §9): the suites, keys with lifetime and MKI, several keys, session
/// parameters, a suite sipdial does not speak, and the refusals, each naming what is wrong.
struct SDESCryptoTests {
    let key30 = Data((0..<30).map { UInt8($0) }).base64EncodedString()

    @Test func theRFCsExampleReadsAndWritesBack() throws {
        // RFC 4568 §9.1's example line.
        let line = "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP"
        let crypto = try SDESCrypto(parsing: line)
        #expect(crypto.tag == 1 && crypto.suite == .aesCM128HMACSHA1_80 && crypto.keys.count == 1)
        #expect(crypto.keys[0].material.count == 30 && crypto.keys[0].lifetime == 1 << 20 && crypto.keys[0].mki == SDESCrypto.MKI(value: 1, length: 4))
        #expect(crypto.sessionParameters == ["FEC_ORDER=FEC_SRTP"])
        #expect(try SDESCrypto(parsing: crypto.attributeValue) == crypto)
    }

    @Test func eachSuiteWantsItsKeyLength() throws {
        let gcm = Data((0..<28).map { UInt8($0) }).base64EncodedString()
        #expect(try SDESCrypto(parsing: "3 AEAD_AES_128_GCM inline:\(gcm)").suite == .aeadAES128GCM)
        #expect(try SDESCrypto(parsing: "2 AES_CM_128_HMAC_SHA1_32 inline:\(key30)|1000").keys[0].lifetime == 1000)
        #expect { try SDESCrypto(parsing: "3 AEAD_AES_128_GCM inline:\(key30)") } throws: { "\($0)".contains("needs 28 bytes") }
        #expect { try SDESCrypto(parsing: "1 AES_CM_128_HMAC_SHA1_80 inline:\(gcm)") } throws: { "\($0)".contains("needs 30 bytes") }
    }

    @Test func severalKeysAndAnUnknownSuite() throws {
        let two = try SDESCrypto(parsing: "7 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|2^31|1:1;inline:\(key30)|2^31|2:1 UNENCRYPTED_SRTCP")
        #expect(two.keys.map { $0.mki?.value } == [1, 2] && two.sessionParameters == ["UNENCRYPTED_SRTCP"])
        let other = try SDESCrypto(parsing: "4 F8_128_HMAC_SHA1_80 inline:QUJD")
        #expect(other.suite == nil && other.suiteName == "F8_128_HMAC_SHA1_80", "kept, so that an answer can skip it")
    }

    @Test func brokenLinesAreRefusedNamingWhy() {
        for (line, words) in [("1 AES_CM_128_HMAC_SHA1_80", "needs a tag"), ("x AES_CM_128_HMAC_SHA1_80 inline:\(key30)", "tag"),
                              ("1234567890 AES_CM_128_HMAC_SHA1_80 inline:\(key30)", "tag"), ("1 AES_CM_128_HMAC_SHA1_80 key:\(key30)", "inline:"),
                              ("1 AES_CM_128_HMAC_SHA1_80 inline:@@@", "base64"), ("1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|2^64", "lifetime"),
                              ("1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|1:0", "MKI"), ("1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)|1:4|20", "lifetime")] {
            #expect { try SDESCrypto(parsing: line) } throws: { "\($0)".contains(words) }
        }
    }

    @Test func theCryptoLinesOfAMediaSection() throws {
        let sdp = try SDPParser().parse(Array("""
            v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(key30)\r\na=crypto:2 broken\r\na=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:\(key30)\r\n
            """.utf8))
        #expect(SDESCrypto.all(in: sdp.media[0]).map(\.tag) == [1, 3])
    }
}
