import Foundation
import Testing

/// `sipdial sip check` as a user runs it: JSON on stdout, exit 0/1/2.
struct SIPCheckCommandTests {
    static func torture(_ name: String) -> String {
        Bundle.module.url(forResource: "Torture/\(name)", withExtension: nil)!.path
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test(arguments: [
        ("wsinv.dat", 0, nil as Int?), ("badvers.dat", 1, 505), ("bext01.dat", 0, 420), ("unkscm.dat", 0, 416),
        ("invut.dat", 0, 415), ("clerr.dat", 1, 400), ("intmeth.dat", 0, 501), ("scalarlg.dat", 1, nil),
        ("ipv6-bad.dat", 1, 400), ("sdp01.dat", 0, 406),
    ])
    func verdictAndExitStatus(_ file: String, _ exit: Int, _ response: Int?) async throws {
        let (status, out) = try await SipdialBinary.run(["sip", "check", Self.torture(file)])
        #expect(status == Int32(exit), "\(out)")
        let doc = try json(out)
        #expect(doc["wellFormed"] as? Bool == (exit == 0))
        #expect(doc["response"] as? Int == response)
        #expect(doc.keys.contains("response"), "response is always present, null when none is due")
    }

    @Test func readsStandardInputAndReportsStructure() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.torture("esc01.dat")))
        let (status, out) = try await SipdialBinary.run(["sip", "check", "-"], stdin: data)
        #expect(status == 0)
        let doc = try json(out)
        #expect(doc["kind"] as? String == "request")
        #expect(doc["method"] as? String == "INVITE")
        #expect(doc["bodyLength"] as? Int == 150)
        let headers = doc["headers"] as? [[String: Any]]
        #expect(headers?.first?["name"] as? String == "To")
        #expect(headers?.map { $0["name"] as? String }.contains("Content-Type") == true, "compact 'c' shown by its full name")
    }

    @Test func parseErrorCarriesByteOffset() async throws {
        let (status, out) = try await SipdialBinary.run(["sip", "check", Self.torture("ncl.dat")])
        #expect(status == 1)
        let error = try json(out)["error"] as? [String: Any]
        #expect(error?["kind"] as? String == "invalidContentLength")
        #expect((error?["offset"] as? Int ?? 0) > 0)
    }

    @Test func usageErrorsExitTwo() async throws {
        #expect(try await SipdialBinary.run(["sip", "check", "/nonexistent/file"]).0 == 2)
        #expect(try await SipdialBinary.run(["sip", "check", "a", "b"]).0 == 2)
        #expect(try await SipdialBinary.run(["serve", "--listen", "nonsense"]).0 == 2)
    }
}
