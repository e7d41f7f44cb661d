import Crypto
import Foundation
import GRDB

/// Bearer tokens for the REST API. Only a token's SHA-256 is stored: the token itself is
/// shown once, when made, and cannot be read back from the database.
public struct APIToken: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "api_token"
    public var id: String
    public var name: String
    /// SHA-256 of the token, hex.
    public var hash: String
    public var createdAt: Double
    public var lastUsedAt: Double?

    /// The stored form of `token`.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension DialerStore {
    /// Makes a token named `name` (32 random bytes, base64url) and stores its hash; returns
    /// the token, which is not kept anywhere else.
    public func createToken(name: String, now: Double) throws -> (id: String, token: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let record = APIToken(id: UUID().uuidString, name: name, hash: APIToken.hash(token), createdAt: now, lastUsedAt: nil)
        try pool.write { try record.insert($0) }
        return (record.id, token)
    }

    /// The token's record when `token` is a valid one, else nil. Its last use is noted at
    /// most once a minute, so requests are checked with a read, not a write each.
    public func authenticate(token: String, now: Double) throws -> APIToken? {
        let hash = APIToken.hash(token)
        guard var record = try pool.read({ try APIToken.filter(Column("hash") == hash).fetchOne($0) }) else { return nil }
        if now - (record.lastUsedAt ?? -.infinity) >= 60 {
            record.lastUsedAt = now
            try pool.write { try record.update($0) }
        }
        return record
    }
}
