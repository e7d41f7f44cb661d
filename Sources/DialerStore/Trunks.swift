import GRDB

/// A SIP trunk calls go out through (issue #5 item 2). The password is kept to answer
/// digest challenges and is never handed back by the API; in the database it is encrypted
/// (`StoreSecret`), here it is plain.
public struct Trunk: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "trunk"
    public var id: String
    public var name: String
    public var host: String
    public var port: Int?
    /// udp, tcp or tls
    public var transport: String
    public var username: String?
    public var password: String?
    public var register: Bool
    public var registerExpires: Int
    public var fromUser: String?
    public var fromDomain: String?
    public var callerId: String?
    /// Removed from the front of a number before dialing, then `addPrefix` is put there.
    public var stripPrefix: String?
    public var addPrefix: String?
    /// In preference order: pcmu, pcma, opus (a JSON array in the column).
    public var codecs: [String]
    public var maxConcurrent: Int?
    public var maxCallsPerSecond: Double?
    /// Share of calls among trunks of the same failover order.
    public var weight: Int
    /// Trunks are tried in rising order; a lower order is used first.
    public var failoverOrder: Int
    /// SRTP for the audio: off, optional or required (RFC 3711, SDES keys RFC 4568).
    public var srtp: String
    /// Whether SDES keys may travel over udp or tcp signaling (else SRTP needs tls).
    public var srtpPlainSignaling: Bool
    public var createdAt: Double
    public var updatedAt: Double

    public init(id: String, name: String, host: String, now: Double) {
        self.id = id
        self.name = name
        self.host = host
        transport = "udp"
        register = false
        registerExpires = 3600
        codecs = ["pcmu", "pcma"]
        weight = 1
        failoverOrder = 0
        srtp = "off"
        srtpPlainSignaling = false
        createdAt = now
        updatedAt = now
    }
}

/// What went wrong writing a record the caller can fix.
public enum StoreConflict: Error, Sendable, Equatable {
    /// Another record already has this value of a unique column.
    case duplicate(column: String)
}

extension DialerStore {
    public func trunks() throws -> [Trunk] {
        try pool.read { try Trunk.order(Column("failover_order"), Column("name")).fetchAll($0) }.map(opened)
    }

    public func trunk(id: String) throws -> Trunk? {
        try pool.read { try Trunk.fetchOne($0, key: id) }.map(opened)
    }

    /// Inserts or replaces `trunk`; a name another trunk has is a `.duplicate("name")`.
    public func save(_ trunk: Trunk) throws {
        var sealed = trunk
        sealed.password = try trunk.password.map(secret.seal)
        do {
            try pool.write { try sealed.save($0) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreConflict.duplicate(column: "name")
        }
    }

    /// False when there was no such trunk.
    public func deleteTrunk(id: String) throws -> Bool {
        try pool.write { try Trunk.deleteOne($0, key: id) }
    }

    /// Encrypts the passwords a store made before they were encrypted, once, as it opens.
    func sealPlainPasswords() throws {
        let plain = try pool.read { try Trunk.fetchAll($0) }.filter { $0.password.map { !StoreSecret.isSealed($0) } ?? false }
        guard !plain.isEmpty else { return }
        try pool.write { db in
            for var trunk in plain {
                trunk.password = try trunk.password.map(secret.seal)
                try trunk.update(db)
            }
        }
    }

    private func opened(_ stored: Trunk) throws -> Trunk {
        var trunk = stored
        trunk.password = try stored.password.map { try secret.unseal($0, what: "the password of trunk '\(stored.name)'") }
        return trunk
    }
}
