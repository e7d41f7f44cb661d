import Foundation
import SDP
import Testing

/// SDES offer/answer (RFC 4568 §7): what sipdial offers per policy, what it answers to
/// SRTP, best-effort and plain offers, and how it reads answers.
struct SRTPOfferAnswerTests {
    static let origin = OfferAnswerTests.origin

    static func offer(_ policy: SRTPPolicy, keys: SDESKeys? = nil) -> SessionDescription {
        OfferAnswer.offer(origin: origin, address: "192.0.2.10", port: 40000,
                          preferences: AudioPreferences(srtp: keys ?? SDESKeys.generate(policy)))
    }

    /// A peer's offer: `proto` with the given `a=crypto` lines.
    static func peerOffer(_ proto: String, crypto: [String]) throws -> SessionDescription {
        let lines = crypto.map { "a=crypto:\($0)\r\n" }.joined()
        return try SDPParser().parse("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5004 \(proto) 0\r\n\(lines)")
    }

    static let peerKey80 = Array(repeating: UInt8(0x11), count: 30)
    static let peerKeyGCM = Array(repeating: UInt8(0x22), count: 28)
    static func inline(_ key: [UInt8]) -> String { "inline:" + Data(key).base64EncodedString() }

    @Test func offersFollowThePolicy() throws {
        let plain = Self.offer(.off).media[0]
        #expect(plain.proto == "RTP/AVP" && SDESCrypto.all(in: plain).isEmpty)

        let optional = Self.offer(.optional).media[0]
        #expect(optional.proto == "RTP/AVP", "best effort: a plain peer still understands the offer")
        #expect(SDESCrypto.all(in: optional).map(\.suite) == SDESKeys.preferredSuites)
        #expect(SDESCrypto.all(in: optional).map(\.tag) == [1, 2, 3])

        let required = Self.offer(.required)
        #expect(required.media[0].proto == "RTP/SAVP")
        #expect(try SDPParser().parse(required.text) == required)
    }

    @Test func generatedKeysAreFreshPerCallAndOfTheSuitesLength() throws {
        let a = try #require(SDESKeys.generate(.optional)), b = try #require(SDESKeys.generate(.optional))
        #expect(a != b)
        for (suite, material) in a.keys { #expect(material.count == suite.keyLength + suite.saltLength) }
        #expect(SDESKeys.generate(.off) == nil)
        let renewed = a.renewed()
        #expect(renewed != a && renewed.keys.map(\.suite) == a.keys.map(\.suite) && renewed.required == a.required)
        #expect(!"\(a)".contains(Data(a.keys[0].material).base64EncodedString()), "keys never reach a log")
    }

    @Test func anSRTPOfferIsAnsweredWithItsTagAndOurKey() throws {
        let offer = try Self.peerOffer("RTP/SAVP", crypto: ["7 AEAD_AES_128_GCM \(Self.inline(Self.peerKeyGCM))",
                                                              "9 AES_CM_128_HMAC_SHA1_80 \(Self.inline(Self.peerKey80))"])
        let keys = try #require(SDESKeys.generate(.optional))
        let (answer, audio) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                     preferences: AudioPreferences(srtp: keys))
        #expect(answer.media[0].proto == "RTP/SAVP")
        let crypto = SDESCrypto.all(in: answer.media[0])
        #expect(crypto.count == 1 && crypto[0].tag == 7 && crypto[0].suite == .aeadAES128GCM, "the offer's first usable line")
        #expect(crypto[0].keys[0].material == keys.material(for: .aeadAES128GCM))
        #expect(audio.srtp == NegotiatedSRTP(suite: .aeadAES128GCM, sendKey: keys.material(for: .aeadAES128GCM)!, receiveKey: Self.peerKeyGCM))
    }

    @Test func aBestEffortOfferIsAnsweredSecureWhenSRTPIsOnAndPlainWhenOff() throws {
        let offer = try Self.peerOffer("RTP/AVP", crypto: ["1 AES_CM_128_HMAC_SHA1_80 \(Self.inline(Self.peerKey80))"])
        let (secure, secureAudio) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                           preferences: AudioPreferences(srtp: SDESKeys.generate(.optional)))
        #expect(secure.media[0].proto == "RTP/AVP" && SDESCrypto.all(in: secure.media[0]).count == 1)
        #expect(secureAudio.srtp?.suite == .aesCM128HMACSHA1_80 && secureAudio.srtp?.receiveKey == Self.peerKey80)

        let (plain, plainAudio) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                         preferences: AudioPreferences())
        #expect(SDESCrypto.all(in: plain.media[0]).isEmpty && plainAudio.srtp == nil)
    }

    @Test func refusalsSayWhy() throws {
        let savp = try Self.peerOffer("RTP/SAVP", crypto: ["1 AES_CM_128_HMAC_SHA1_80 \(Self.inline(Self.peerKey80))"])
        #expect(throws: NegotiationError("the offer asks for SRTP (RTP/SAVP) and SRTP is off here")) {
            try OfferAnswer.answer(to: savp, origin: Self.origin, address: "192.0.2.10", port: 30000, preferences: AudioPreferences())
        }
        let plain = try Self.peerOffer("RTP/AVP", crypto: [])
        #expect(throws: NegotiationError("SRTP is required and the offer is plain RTP (no usable a=crypto)")) {
            try OfferAnswer.answer(to: plain, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                   preferences: AudioPreferences(srtp: SDESKeys.generate(.required)))
        }
        // A suite sipdial lacks, and a key with an MKI, are not usable.
        let unusable = try Self.peerOffer("RTP/SAVP", crypto: ["1 AES_256_CM_HMAC_SHA1_80 inline:\(Data(repeating: 1, count: 46).base64EncodedString())",
                                                                 "2 AES_CM_128_HMAC_SHA1_80 \(Self.inline(Self.peerKey80))|2^20|1:4"])
        #expect(throws: NegotiationError.self) {
            try OfferAnswer.answer(to: unusable, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                   preferences: AudioPreferences(srtp: SDESKeys.generate(.optional)))
        }
    }

    /// A tag names one line (RFC 4568 §9.1): a line repeating an earlier line's tag is not
    /// taken, even when the earlier one is unusable, so an answer naming the tag means the
    /// same key to both sides (found by the sdp fuzzer).
    @Test func aRepeatedTagIsNotTaken() throws {
        let twoKeys = "\(Self.inline(Self.peerKey80));\(Self.inline(Self.peerKey80))"
        let offer = try Self.peerOffer("RTP/AVP", crypto: ["2 AES_CM_128_HMAC_SHA1_32 \(twoKeys)",
                                                             "2 AES_CM_128_HMAC_SHA1_32 \(Self.inline(Self.peerKey80))",
                                                             "5 AES_CM_128_HMAC_SHA1_80 \(Self.inline(Self.peerKey80))"])
        let keys = try #require(SDESKeys.generate(.optional))
        let (answer, audio) = try OfferAnswer.answer(to: offer, origin: Self.origin, address: "192.0.2.10", port: 30000,
                                                     preferences: AudioPreferences(srtp: keys))
        #expect(SDESCrypto.all(in: answer.media[0]).map(\.tag) == [5] && audio.srtp?.suite == .aesCM128HMACSHA1_80)
        // Read from the offerer's side, the answer names the same keys, directions swapped.
        let offerersView = try OfferAnswer.accept(answer: answer, to: offer)
        #expect(offerersView.srtp == NegotiatedSRTP(suite: .aesCM128HMACSHA1_80, sendKey: Self.peerKey80, receiveKey: keys.material(for: .aesCM128HMACSHA1_80)!))
    }

    /// A peer's answer to sipdial's offer: `proto` with the given `a=crypto` lines.
    static func answer(proto: String, crypto: [String]) throws -> SessionDescription {
        let lines = crypto.map { "a=crypto:\($0)\r\n" }.joined()
        return try SDPParser().parse("v=0\r\no=y 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 6000 \(proto) 0\r\n\(lines)")
    }

    @Test func anAnswerNamingAnOfferedTagKeysBothDirections() throws {
        let keys = try #require(SDESKeys.generate(.required))
        let offer = Self.offer(.required, keys: keys)
        let answer = try Self.answer(proto: "RTP/SAVP", crypto: ["3 AES_CM_128_HMAC_SHA1_32 \(Self.inline(Self.peerKey80))"])
        let audio = try OfferAnswer.accept(answer: answer, to: offer)
        #expect(audio.srtp == NegotiatedSRTP(suite: .aesCM128HMACSHA1_32, sendKey: keys.material(for: .aesCM128HMACSHA1_32)!, receiveKey: Self.peerKey80))
    }

    @Test func answersThatBreakTheOfferAreRefusedAndAPlainOneDeclinesBestEffort() throws {
        let required = Self.offer(.required)
        #expect(throws: NegotiationError("the answer has no a=crypto for the SRTP offer (RFC 4568 §7.1.3)")) {
            try OfferAnswer.accept(answer: Self.answer(proto: "RTP/SAVP", crypto: []), to: required)
        }
        #expect(throws: NegotiationError("the answer's a=crypto (tag 1, AES_CM_128_HMAC_SHA1_32) is none of those offered")) {
            // Tag 1 is offered as AES_CM_128_HMAC_SHA1_80, not _32.
            try OfferAnswer.accept(answer: Self.answer(proto: "RTP/SAVP", crypto: ["1 AES_CM_128_HMAC_SHA1_32 \(Self.inline(Self.peerKey80))"]), to: required)
        }
        let optional = Self.offer(.optional)
        let declined = try OfferAnswer.accept(answer: Self.answer(proto: "RTP/AVP", crypto: []), to: optional)
        #expect(declined.srtp == nil)
    }
}
