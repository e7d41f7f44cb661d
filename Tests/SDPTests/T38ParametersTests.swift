import Testing
@testable import SDP

/// T.38 in SDP (T.38 Annex D, RFC 3362): the attributes as the field writes them, and an
/// answer that follows its offer.
struct T38ParametersTests {
    static func image(_ attributes: [String]) throws -> MediaDescription {
        let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=image 40000 udptl t38\r\n"
            + attributes.map { "a=\($0)\r\n" }.joined()
        return try #require(try SDPParser().parse(Array(sdp.utf8)).media.first)
    }

    @Test func anAnnexDOfferReads() throws {
        let media = try Self.image(["T38FaxVersion:0", "T38MaxBitRate:14400", "T38FaxFillBitRemoval", "T38FaxRateManagement:transferredTCF",
                                    "T38FaxMaxBuffer:2000", "T38FaxMaxDatagram:400", "T38FaxUdpEC:t38UDPRedundancy"])
        let t38 = try #require(T38Parameters(media))
        #expect(t38.version == 0 && t38.maxBitRate == 14_400 && t38.fillBitRemoval && !t38.transcodingMMR && !t38.transcodingJBIG)
        #expect(t38.rateManagement == .transferredTCF && t38.maxBuffer == 2000 && t38.maxDatagram == 400 && t38.errorCorrection == .redundancy)
    }

    @Test func namesAnyCaseAliasesAndBooleansWrittenAsNumbers() throws {
        let media = try Self.image(["t38faxversion:1", "T38FaxMaxRate:9600", "T38FaxFillBitRemoval:0", "T38FaxTranscodingMMR:1",
                                    "T38FAXRATEMANAGEMENT:localTCF", "T38MaxDatagram:272", "t38faxudpec:T38UDPFEC"])
        let t38 = try #require(T38Parameters(media))
        #expect(t38.version == 1 && t38.maxBitRate == 9600 && !t38.fillBitRemoval && t38.transcodingMMR)
        #expect(t38.rateManagement == .localTCF && t38.maxDatagram == 272 && t38.errorCorrection == .fec)
    }

    @Test func anAudioSectionIsNoT38() throws {
        let audio = MediaDescription(port: 4000, formats: ["0"])
        #expect(T38Parameters(audio) == nil)
        #expect(T38Parameters(MediaDescription(media: "image", port: 4000, proto: "udptl", formats: ["t38"])) != nil)
    }

    @Test func writtenBackWithTheAnnexNamesAndReadAgain() throws {
        var t38 = T38Parameters()
        t38.maxDatagram = 400
        t38.fillBitRemoval = true
        let media = t38.media(port: 40002)
        #expect(media.text == "m=image 40002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxFillBitRemoval\r\n"
            + "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n")
        #expect(T38Parameters(media) == t38)
    }

    @Test func theAnswerTakesTheLowerVersionAndRateTheOffersTCFAndCommonOptions() {
        var offer = T38Parameters()
        (offer.version, offer.maxBitRate, offer.transcodingMMR, offer.rateManagement, offer.errorCorrection, offer.maxDatagram) =
            (2, 9600, true, .localTCF, .fec, 1400)
        var mine = T38Parameters()
        (mine.version, mine.maxBitRate, mine.fillBitRemoval, mine.errorCorrection, mine.maxDatagram) = (0, 14_400, true, .fec, 400)
        let answer = mine.answer(to: offer)
        #expect(answer.version == 0 && answer.maxBitRate == 9600 && !answer.transcodingMMR && !answer.fillBitRemoval)
        #expect(answer.rateManagement == .localTCF && answer.errorCorrection == .fec && answer.maxDatagram == 400)
        mine.errorCorrection = .redundancy
        #expect(mine.answer(to: offer).errorCorrection == .redundancy)
        offer.errorCorrection = nil
        #expect(mine.answer(to: offer).errorCorrection == nil)
    }
}
