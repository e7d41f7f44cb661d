import DialerStore
import Fax
import Foundation
import Hummingbird

/// `/v1/documents`: the fax documents a flow's `fax` verb sends (ICTCore's fax documents).
/// Upload a TIFF-F file or a PDF (rendered to TIFF-F by Ghostscript at once: 1,728 pixels
/// wide, 204 × 196 dpi), list, read, download the TIFF and delete them. A body that is no
/// usable fax document is refused with 400 naming `body`, and nothing is kept.
struct DocumentRoutes<Context: RequestContext> {
    let store: DialerStore

    struct Body: ResponseEncodable {
        var id, name: String
        var pages, size: Int
        var createdAt: Date

        init(_ d: FaxDocumentRecord) {
            (id, name, pages, size, createdAt) = (d.id, d.name, d.pages, d.size, Date(timeIntervalSince1970: d.createdAt))
        }
    }

    struct List: ResponseEncodable { var documents: [Body] }

    /// The largest upload accepted.
    static var maxUpload: Int { 20 * 1024 * 1024 }

    func add(to group: RouterGroup<Context>) {
        group.post("documents") { request, _ -> EditedResponse<Body> in
            guard let name = request.uri.queryParameters.get("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError.missing("name")
            }
            let bytes: ByteBuffer
            do { bytes = try await request.body.collect(upTo: Self.maxUpload) } catch {
                throw APIError(.contentTooLarge, code: "too_large", message: "a document may be up to 20 MiB", field: "body")
            }
            return EditedResponse(status: .created, response: Body(try store(Data(buffer: bytes), name: name)))
        }
        group.get("documents") { _, _ -> List in
            List(documents: try store.documents().map(Body.init))
        }
        group.get("documents/:id") { _, context -> Body in
            Body(try existing(context))
        }
        group.get("documents/:id/tiff") { _, context -> Response in
            let document = try existing(context)
            guard let data = FileManager.default.contents(atPath: document.path) else { throw APIError.notFound("file of document", id: document.id) }
            return Response(status: .ok, headers: [.contentType: "image/tiff"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        group.delete("documents/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let removed = try store.deleteDocument(id: id) else { throw APIError.notFound("document", id: id) }
            try? FileManager.default.removeItem(atPath: removed.path)
            return Response(status: .noContent)
        }
    }

    /// Checks `data` as a fax document (a PDF rendered) and keeps it as `<data>/documents/<id>.tif`.
    private func store(_ data: Data, name: String) throws -> FaxDocumentRecord {
        let id = UUID().uuidString.lowercased()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-document-\(id)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let upload = scratch.appendingPathComponent("upload").path
        try data.write(to: URL(fileURLWithPath: upload))
        let (tiff, pages): (String, FaxDocument.Pages)
        do { (tiff, pages) = try FaxDocument.prepare(upload, in: scratch) } catch {
            throw APIError.invalid("body", "is not a usable fax document: \(error.description.replacingOccurrences(of: "'\(upload)': ", with: ""))")
        }
        try FileManager.default.createDirectory(at: store.documentsDirectory, withIntermediateDirectories: true)
        let path = store.documentsDirectory.appendingPathComponent("\(id).tif").path
        try FileManager.default.copyItem(atPath: tiff, toPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let document = FaxDocumentRecord(id: id, name: name, path: path, pages: pages.count, size: size, createdAt: Date().timeIntervalSince1970)
        try store.insert(document)
        return document
    }

    private func existing(_ context: Context) throws -> FaxDocumentRecord {
        let id = try context.parameters.require("id")
        guard let document = try store.document(id: id) else { throw APIError.notFound("document", id: id) }
        return document
    }
}
