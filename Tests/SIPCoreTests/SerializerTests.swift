import Foundation
import SIPCore
import Testing

struct SerializerTests {
    /// Found by the fuzzer: an unknown header name longer than any known one overflowed the
    /// serializer's size estimate.
    @Test func longUnknownHeaderNamesRoundTrip() throws {
        let name = String(repeating: "X-Very-Long-Header-Name-", count: 20)
        let text = "OPTIONS sip:a@b SIP/2.0\r\n\(name): v\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n"
        let m = try SIPMessageParser().parseDatagram(Array(text.utf8))
        #expect(m.bytes == Array(text.utf8))
    }

    /// Bare LF line ends (RFC 3261 §7.5 tolerance) on every path of the header loop: a known
    /// name, an unknown name, a folded value and Content-Length. (The checked path once
    /// built an invalid range for a line without CR and crashed.)
    @Test func bareLineFeedsParseOnEveryHeaderPath() throws {
        let text = "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nX-Unknown: one\nSubject: a\n  folded\nContent-Length: 2\n\nhi"
        let m = try SIPMessageParser().parseDatagram(Array(text.utf8))
        #expect(m.headers[SIPHeaderName("X-Unknown")] == "one")
        #expect(m.headers[.subject] == "a folded")
        #expect(m.headers[.contentLength] == "2" && m.body == Array("hi".utf8))
        #expect(try SIPMessageParser().parseDatagram(m.bytes) == m)
    }

    @Test func builtMessagesSerializeExactly() throws {
        var h = SIPHeaders()
        h.append(.via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x")
        h.append(SIPHeaderName("X-Custom"), "ünïcödé")
        let r = SIPResponse(statusCode: 486, headers: h, body: Array("hello".utf8))
        let expected = "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x\r\nX-Custom: ünïcödé\r\n\r\nhello"
        #expect(SIPMessage.response(r).bytes == Array(expected.utf8))
        let withLength = SIPMessage.response(r).withContentLength()
        #expect(withLength.headers[.contentLength] == "5")
    }
}

/// Inputs the fuzzer once crashed on (Fuzz/run.sh seeds its corpus with them too).
struct FuzzRegressionTests {
    static let files: [String] = {
        let dir = Bundle.module.url(forResource: "FuzzRegressions", withExtension: nil)!
        return (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.sorted().map { dir.appendingPathComponent($0).path } ?? []
    }()

    @Test func thereAreRegressions() { #expect(!Self.files.isEmpty) }

    @Test(arguments: files)
    func parsesValidatesAndRoundTrips(_ path: String) throws {
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        guard let m = try? SIPMessageParser().parseDatagram(bytes) else { return }
        _ = SIPMessageValidator().check(m)
        #expect(try SIPMessageParser().parseDatagram(m.bytes) == m)
    }
}
