import Foundation
import GRDB

/// A fax document uploaded once and sent by flows (`fax`): a TIFF-F file under the data
/// directory (a PDF was rendered to one when it was stored).
public struct FaxDocumentRecord: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "document"
    public var id: String
    public var name: String
    /// The TIFF-F file, absolute.
    public var path: String
    public var pages: Int
    /// The TIFF's size in bytes.
    public var size: Int
    public var createdAt: Double

    public init(id: String, name: String, path: String, pages: Int, size: Int, createdAt: Double) {
        (self.id, self.name, self.path, self.pages, self.size, self.createdAt) = (id, name, path, pages, size, createdAt)
    }
}

extension DialerStore {
    /// Where fax documents are kept: `<data>/documents`.
    public var documentsDirectory: URL {
        directory.appendingPathComponent("documents")
    }

    public func insert(_ document: FaxDocumentRecord) throws {
        try pool.write { try document.insert($0) }
    }

    public func document(id: String) throws -> FaxDocumentRecord? {
        try pool.read { try FaxDocumentRecord.fetchOne($0, key: id) }
    }

    /// Every document, oldest first.
    public func documents() throws -> [FaxDocumentRecord] {
        try pool.read { try FaxDocumentRecord.order(Column("created_at"), Column("id")).fetchAll($0) }
    }

    /// The removed document, or nil when there was none (its file is the caller's to delete).
    public func deleteDocument(id: String) throws -> FaxDocumentRecord? {
        try pool.write { db in
            guard let document = try FaxDocumentRecord.fetchOne(db, key: id) else { return nil }
            try document.delete(db)
            return document
        }
    }
}
