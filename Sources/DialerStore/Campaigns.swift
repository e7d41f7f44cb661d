import GRDB

/// A campaign: what it plays (its flow), how fast and when it dials, how it retries.
public struct Campaign: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "campaign"
    public var id: String
    public var name: String
    public var kind: String
    public var status: String
    /// The call flow, JSON (the engine's `CallFlow`).
    public var flow: String
    /// The trunk calls go out through; nil: the engine's choice among all trunks.
    public var trunkId: String?
    /// The number presented as the caller; nil: the trunk's.
    public var callerId: String?
    public var callsPerMinute: Double
    public var maxConcurrent: Int
    /// No call before this time and none after `endsAt` (UTC seconds).
    public var startsAt: Double?
    public var endsAt: Double?
    /// The IANA zone of the daily window and weekdays.
    public var timeZone: String
    /// "HH:MM" in `timeZone`; calls only between them (an end before the start spans midnight).
    public var dailyStart: String?
    public var dailyEnd: String?
    /// ISO weekdays allowed, "1,2,3,4,5" (Monday is 1); nil or empty: every day.
    public var weekdays: String?
    /// Apply the daily window in each contact's own time zone when it has one.
    public var useContactTimeZone: Bool
    /// JSON object: outcome → seconds before the retry (see the engine's `RetryPolicy`).
    public var retryPolicy: String
    public var maxAttempts: Int
    /// Seconds a call may ring before it is cancelled as not answered.
    public var ringTimeout: Double
    /// Comma-separated do-not-call list ids checked before each dial.
    public var dndListIds: String
    /// URL that receives the campaign's call events.
    public var statusCallback: String?
    /// Answering-machine detection on every call, JSON (the engine's `CampaignAMD`); nil: none.
    public var amd: String?
    public var createdAt: Double
    public var updatedAt: Double

    public init(id: String, name: String, kind: String = "announcement", status: String = "draft", flow: String = "[]",
                callsPerMinute: Double, maxConcurrent: Int, maxAttempts: Int = 1, now: Double) {
        self.id = id
        self.name = name
        self.kind = kind
        self.status = status
        self.flow = flow
        self.callsPerMinute = callsPerMinute
        self.maxConcurrent = maxConcurrent
        self.maxAttempts = maxAttempts
        timeZone = "UTC"
        useContactTimeZone = false
        retryPolicy = "{}"
        ringTimeout = 30
        dndListIds = ""
        createdAt = now
        updatedAt = now
    }

    /// The do-not-call lists, as ids.
    public var doNotCallListIDs: [String] { dndListIds.split(separator: ",").map(String.init) }
}

/// One number a campaign dials, with its place in the queue and how far it got.
public struct CampaignCall: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "campaign_call"
    public var id: String
    public var campaignId: String
    public var contactId: String?
    public var phone: String
    public var priority: Int
    /// When it may be dialed next (its originate time, or the retry time).
    public var dueAt: Double
    /// pending, dialing, done
    public var status: String
    public var attempts: Int
    public var lastOutcome: String?
    public var createdAt: Double
    public var updatedAt: Double

    public init(id: String, campaignId: String, contactId: String? = nil, phone: String, priority: Int = 0, dueAt: Double, now: Double) {
        self.id = id
        self.campaignId = campaignId
        self.contactId = contactId
        self.phone = phone
        self.priority = priority
        self.dueAt = dueAt
        status = "pending"
        attempts = 0
        createdAt = now
        updatedAt = now
    }

    /// A campaign's calls that may be dialed at `now`, in the order they are leased: highest
    /// priority, then earliest due, then first added (index `campaign_call_due` covers it all).
    static func due(campaignID: String, now: Double) -> QueryInterfaceRequest<CampaignCall> {
        CampaignCall
            .filter(Column("campaign_id") == campaignID && Column("status") == "pending" && Column("due_at") <= now)
            .order(Column("priority").desc, Column("due_at"), Column("created_at"))
    }
}

extension DialerStore {
    public func insert(_ campaign: Campaign) throws {
        try pool.write { try campaign.insert($0) }
    }

    public func campaign(id: String) throws -> Campaign? {
        try pool.read { try Campaign.fetchOne($0, key: id) }
    }

    /// Saves an edited campaign's settings; its status is left as stored (the lifecycle
    /// moves it), so an edit racing a start or stop cannot undo it.
    public func update(_ campaign: Campaign) throws {
        try pool.write { db in
            var edited = campaign
            if let current = try Campaign.fetchOne(db, key: campaign.id) { edited.status = current.status }
            try edited.update(db)
        }
    }

    public func insert(_ calls: [CampaignCall]) throws {
        try pool.write { db in for call in calls { try call.insert(db) } }
    }

    public func campaignCall(id: String) throws -> CampaignCall? {
        try pool.read { try CampaignCall.fetchOne($0, key: id) }
    }
}

extension DialerStore {
    /// Queues every contact of a list on a campaign, due at `dueAt` with `priority`, in one
    /// statement; returns how many were queued.
    public func enqueue(listID: String, campaignID: String, priority: Int, dueAt: Double, now: Double) throws -> Int {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO campaign_call (id, campaign_id, contact_id, phone, priority, due_at, status, attempts, created_at, updated_at)
                SELECT lower(hex(randomblob(16))), ?, id, phone, ?, ?, 'pending', 0, ?, ?
                FROM contact WHERE list_id = ? ORDER BY rowid
                """, arguments: [campaignID, priority, dueAt, now, now, listID])
            return db.changesCount
        }
    }

    /// A page of a campaign's calls in the order they were queued, optionally only those in
    /// `status`: up to `limit` after the call `after`.
    public func campaignCalls(campaignID: String, status: String?, after: String?, limit: Int) throws -> [CampaignCall] {
        try pool.read { db in
            var request = CampaignCall.filter(Column("campaign_id") == campaignID)
            if let status { request = request.filter(Column("status") == status) }
            return try page(request, after: after, limit: limit, in: db)
        }
    }
}

extension DialerStore {
    /// Changes a queued call's priority and due time while it is pending; nil when there is
    /// no such call in the campaign, false when it is no longer pending.
    public func updatePendingCall(id: String, campaignID: String, priority: Int?, dueAt: Double?, now: Double) throws -> Bool? {
        try pool.write { db in
            guard var call = try CampaignCall.fetchOne(db, key: id), call.campaignId == campaignID else { return nil }
            guard call.status == "pending" else { return false }
            if let priority { call.priority = priority }
            if let dueAt { call.dueAt = dueAt }
            call.updatedAt = now
            try call.update(db)
            return true
        }
    }

    /// Removes a queued call while it is pending; nil when there is no such call in the
    /// campaign, false when it is being dialed or done (its history stays).
    public func removePendingCall(id: String, campaignID: String) throws -> Bool? {
        try pool.write { db in
            guard let call = try CampaignCall.fetchOne(db, key: id), call.campaignId == campaignID else { return nil }
            guard call.status == "pending" else { return false }
            return try call.delete(db)
        }
    }

    /// Removes every pending call of a campaign; returns how many.
    public func clearPendingCalls(campaignID: String) throws -> Int {
        try pool.write { db in
            try CampaignCall.filter(Column("campaign_id") == campaignID && Column("status") == "pending").deleteAll(db)
        }
    }
}
