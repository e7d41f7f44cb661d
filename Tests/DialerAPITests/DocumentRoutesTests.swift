import DialerStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Fax documents: a TIFF-F kept as it is, a PDF rendered to TIFF-F by Ghostscript, listed,
/// downloaded, named by a flow's `fax` verb, deleted; what is no fax document is refused
/// with 400 naming `body`.
struct DocumentRoutesTests {
    static let documents = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FaxTests/Documents")

    static func upload(_ base: URL, _ token: String, name: String?, _ body: Data, type: String = "image/tiff") async throws -> (Int, [String: Any]) {
        try await RecordingRoutesTests.upload(base, token, to: "v1/documents", name: name, body: Array(body), type: type)
    }

    @Test func aTIFFIsKeptListedDownloadedUsableByAFlowAndDeleted() async throws {
        try await RESTTests.withServer { base, token, store in
            let tiff = try Data(contentsOf: Self.documents.appendingPathComponent("letter-fine-3.tif"))
            let (created, document) = try await Self.upload(base, token, name: "letter", tiff)
            #expect(created == 201 && document["pages"] as? Int == 3 && document["name"] as? String == "letter", "\(document)")
            let id = try #require(document["id"] as? String)
            let stored = try #require(try store.document(id: id))
            #expect(FileManager.default.contents(atPath: stored.path) == tiff)

            var download = URLRequest(url: base.appendingPathComponent("v1/documents/\(id)/tiff"))
            download.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            #expect(try await URLSession.shared.data(for: download).0 == tiff)
            let (_, list) = try await RESTTests.send("GET", base.appendingPathComponent("v1/documents"), token: token)
            #expect((list["documents"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            let flow = #"{"name": "fax", "calls_per_minute": 1, "max_concurrent": 1, "flow": [{"verb": "fax", "document": "\#(id)", "transport": "t38"}]}"#
            #expect(try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: flow).0 == 201)
            #expect(try await RESTTests.send("DELETE", base.appendingPathComponent("v1/documents/\(id)"), token: token).0 == 204)
            let (refused, problem) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: flow)
            #expect(refused == 400 && RESTTests.error(problem).field == "flow[0].document", "a deleted document cannot be sent")
            #expect(try await RESTTests.send("GET", base.appendingPathComponent("v1/documents/\(id)"), token: token).0 == 404)
        }
    }

    @Test func aPDFIsRenderedToTIFFF() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let pdf = scratch.appendingPathComponent("letter.pdf")
        let gs = Process()
        gs.executableURL = URL(fileURLWithPath: "/usr/bin/gs")
        gs.arguments = ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sOutputFile=\(pdf.path)",
                        Self.documents.appendingPathComponent("letter.ps").path]
        try gs.run()
        gs.waitUntilExit()
        try await RESTTests.withServer { base, token, store in
            let (created, document) = try await Self.upload(base, token, name: "from pdf", try Data(contentsOf: pdf), type: "application/pdf")
            #expect(created == 201 && (document["pages"] as? Int ?? 0) >= 1, "\(document)")
            let id = try #require(document["id"] as? String)
            let stored = try #require(try store.document(id: id))
            #expect(FileManager.default.contents(atPath: stored.path)?.prefix(2) == Data("II".utf8), "a little-endian TIFF")
        }
    }

    @Test func whatIsNoFaxDocumentIs400NamingTheBody() async throws {
        try await RESTTests.withServer { base, token, _ in
            let tiff = try Data(contentsOf: Self.documents.appendingPathComponent("letter-standard-1.tif"))
            #expect(RESTTests.error(try await Self.upload(base, token, name: nil, tiff).1).field == "name")
            let (text, a) = try await Self.upload(base, token, name: "x", Data("hello".utf8))
            #expect(text == 400 && RESTTests.error(a).field == "body", "\(a)")
            let (brokenPDF, b) = try await Self.upload(base, token, name: "x", Data("%PDF-1.4\nno\n".utf8), type: "application/pdf")
            #expect(brokenPDF == 400 && RESTTests.error(b).field == "body", "\(b)")
            // A TIFF whose directory points past its end.
            let (broken, c) = try await Self.upload(base, token, name: "x", Data([0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0, 0]))
            #expect(broken == 400 && RESTTests.error(c).field == "body", "\(c)")
            let (_, list) = try await RESTTests.send("GET", base.appendingPathComponent("v1/documents"), token: token)
            #expect((list["documents"] as? [Any])?.isEmpty == true, "nothing kept")
        }
    }
}
