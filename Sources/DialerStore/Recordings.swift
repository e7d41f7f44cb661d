import Foundation
import GRDB

/// A prompt uploaded once and played by flows (`play`): an 8 kHz mono WAV under the data
/// directory, converted when it was stored.
public struct Recording: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "recording"
    public var id: String
    public var name: String
    /// The file, absolute.
    public var path: String
    public var durationMs: Int
    public var createdAt: Double

    public init(id: String, name: String, path: String, durationMs: Int, createdAt: Double) {
        (self.id, self.name, self.path, self.durationMs, self.createdAt) = (id, name, path, durationMs, createdAt)
    }
}

extension DialerStore {
    /// Where recordings are kept: `<data>/recordings`.
    public var recordingsDirectory: URL {
        directory.appendingPathComponent("recordings")
    }

    public func insert(_ recording: Recording) throws {
        try pool.write { try recording.insert($0) }
    }

    public func recording(id: String) throws -> Recording? {
        try pool.read { try Recording.fetchOne($0, key: id) }
    }

    /// Every recording, oldest first.
    public func recordings() throws -> [Recording] {
        try pool.read { try Recording.order(Column("created_at"), Column("id")).fetchAll($0) }
    }

    /// The removed recording, or nil when there was none (its file is the caller's to delete).
    public func deleteRecording(id: String) throws -> Recording? {
        try pool.write { db in
            guard let recording = try Recording.fetchOne(db, key: id) else { return nil }
            try recording.delete(db)
            return recording
        }
    }
}
