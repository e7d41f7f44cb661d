import GRDB

/// The store's tables, as versioned migrations (GRDB's `DatabaseMigrator`: each runs once,
/// in order, and the applied ones are recorded in the database). The SQL stays portable
/// (no SQLite-only types beyond what PostgreSQL reads the same way) so a shared PostgreSQL
/// store can follow (docs/ARCHITECTURE.md, "Growing past one machine").
///
/// Times are UTC seconds since 1970 (REAL); JSON columns hold what has no fixed shape
/// (a contact's custom fields, a call flow, a retry policy, RTP figures).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: trunks, lists, campaigns, attempts, CDRs") { db in
            for statement in version1 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v2: CDR dispositions, campaign ring timeout, idempotency keys, callbacks") { db in
            for statement in version2 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v3: the due-calls index covers the whole lease order") { db in
            for statement in version3 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v4: campaign answering-machine detection, the detector's audio") { db in
            for statement in version4 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v5: fax documents, the fax result of a call") { db in
            for statement in version5 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v6: a trunk's SRTP policy") { db in
            for statement in version6 { try db.execute(sql: statement) }
        }
        return migrator
    }

    /// A CDR's disposition (`CallDisposition`) is stored, so statistics are one GROUP BY;
    /// a campaign says how long its calls may ring; a single call keeps the client's
    /// Idempotency-Key so a retried POST does not dial twice; a callback's attempt names it.
    static let version2 = [
        "ALTER TABLE cdr ADD COLUMN disposition TEXT NOT NULL DEFAULT 'failed'",
        "CREATE INDEX cdr_by_disposition ON cdr(campaign_id, disposition)",
        "ALTER TABLE campaign ADD COLUMN ring_timeout REAL NOT NULL DEFAULT 30",
        "ALTER TABLE attempt ADD COLUMN idempotency_key TEXT",
        "CREATE UNIQUE INDEX attempt_by_idempotency_key ON attempt(idempotency_key)",
        "ALTER TABLE attempt ADD COLUMN callback_id TEXT",
        "ALTER TABLE callback ADD COLUMN trunk_id TEXT",
        "ALTER TABLE callback ADD COLUMN caller_id TEXT",
        "ALTER TABLE callback ADD COLUMN last_outcome TEXT",
        "ALTER TABLE callback ADD COLUMN agent TEXT",
        "ALTER TABLE callback ADD COLUMN recording TEXT",
        "CREATE INDEX callback_due ON callback(status, scheduled_at)",
        "CREATE INDEX cdr_by_sip_call_id ON cdr(sip_call_id)",
        "CREATE INDEX attempt_by_callback ON attempt(callback_id)",
    ]

    static let version1 = [
        """
        CREATE TABLE trunk (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            host TEXT NOT NULL, port INTEGER, transport TEXT NOT NULL DEFAULT 'udp',
            username TEXT, password TEXT,
            register INTEGER NOT NULL DEFAULT 0, register_expires INTEGER NOT NULL DEFAULT 3600,
            from_user TEXT, from_domain TEXT, caller_id TEXT,
            strip_prefix TEXT, add_prefix TEXT, codecs TEXT NOT NULL DEFAULT '["pcmu","pcma"]',
            max_concurrent INTEGER, max_calls_per_second REAL,
            weight INTEGER NOT NULL DEFAULT 1, failover_order INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL, updated_at REAL NOT NULL)
        """,
        """
        CREATE TABLE recording (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL,
            duration_ms INTEGER NOT NULL, created_at REAL NOT NULL)
        """,
        """
        CREATE TABLE tts_cache (
            hash TEXT PRIMARY KEY, text TEXT NOT NULL, voice TEXT NOT NULL, parameters TEXT NOT NULL,
            path TEXT NOT NULL, created_at REAL NOT NULL, last_used_at REAL NOT NULL)
        """,
        "CREATE TABLE contact_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL)",
        """
        CREATE TABLE contact (
            id TEXT PRIMARY KEY, list_id TEXT NOT NULL REFERENCES contact_list(id) ON DELETE CASCADE,
            phone TEXT NOT NULL, first_name TEXT, last_name TEXT, email TEXT, time_zone TEXT,
            fields TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL)
        """,
        "CREATE INDEX contact_by_list_phone ON contact(list_id, phone)",
        "CREATE TABLE dnd_list (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL)",
        """
        CREATE TABLE dnd_number (
            list_id TEXT NOT NULL REFERENCES dnd_list(id) ON DELETE CASCADE, phone TEXT NOT NULL,
            PRIMARY KEY (list_id, phone))
        """,
        """
        CREATE TABLE campaign (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'draft',
            flow TEXT NOT NULL, trunk_id TEXT REFERENCES trunk(id), caller_id TEXT,
            calls_per_minute REAL NOT NULL, max_concurrent INTEGER NOT NULL,
            starts_at REAL, ends_at REAL, time_zone TEXT NOT NULL DEFAULT 'UTC',
            daily_start TEXT, daily_end TEXT, weekdays TEXT, use_contact_time_zone INTEGER NOT NULL DEFAULT 0,
            retry_policy TEXT NOT NULL DEFAULT '{}', max_attempts INTEGER NOT NULL DEFAULT 1,
            dnd_list_ids TEXT NOT NULL DEFAULT '', status_callback TEXT,
            created_at REAL NOT NULL, updated_at REAL NOT NULL)
        """,
        """
        CREATE TABLE campaign_call (
            id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
            contact_id TEXT REFERENCES contact(id) ON DELETE SET NULL, phone TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0, due_at REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            last_outcome TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL)
        """,
        "CREATE INDEX campaign_call_due ON campaign_call(campaign_id, status, priority DESC, due_at)",
        """
        CREATE TABLE attempt (
            id TEXT PRIMARY KEY, campaign_call_id TEXT REFERENCES campaign_call(id) ON DELETE SET NULL,
            campaign_id TEXT, phone TEXT NOT NULL, number INTEGER NOT NULL,
            status TEXT NOT NULL, sip_call_id TEXT, started_at REAL NOT NULL, ended_at REAL)
        """,
        "CREATE INDEX attempt_open ON attempt(status)",
        """
        CREATE TABLE callback (
            id TEXT PRIMARY KEY, phone TEXT NOT NULL, flow TEXT NOT NULL, scheduled_at REAL NOT NULL,
            time_zone TEXT NOT NULL DEFAULT 'UTC', status TEXT NOT NULL DEFAULT 'scheduled',
            status_callback TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL)
        """,
        """
        CREATE TABLE live_call (
            id TEXT PRIMARY KEY, attempt_id TEXT, sip_call_id TEXT, direction TEXT NOT NULL,
            phone TEXT NOT NULL, state TEXT NOT NULL, started_at REAL NOT NULL)
        """,
        """
        CREATE TABLE cdr (
            id TEXT PRIMARY KEY, attempt_id TEXT UNIQUE, campaign_id TEXT, phone TEXT NOT NULL,
            trunk_id TEXT, sip_call_id TEXT, outcome TEXT NOT NULL, sip_code INTEGER, q850_cause INTEGER,
            reason TEXT, started_at REAL NOT NULL, answered_at REAL, ended_at REAL NOT NULL,
            dtmf TEXT, answers TEXT, recording TEXT, rtp TEXT, amd TEXT)
        """,
        "CREATE INDEX cdr_by_time ON cdr(started_at)",
        "CREATE INDEX cdr_by_campaign ON cdr(campaign_id, started_at)",
        """
        CREATE TABLE api_token (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL, last_used_at REAL)
        """,
        """
        CREATE TABLE webhook_delivery (
            id TEXT PRIMARY KEY, url TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL, delivered_at REAL, last_error TEXT, created_at REAL NOT NULL)
        """,
        "CREATE INDEX webhook_due ON webhook_delivery(delivered_at, next_attempt_at)",
    ]

    /// The lease orders due calls by priority, due time and then creation time; an index
    /// that stopped at the due time left SQLite sorting every call of a campaign that shares
    /// them (a list imported at once: the soak's 180,000 calls leased 6 a second).
    static let version3 = [
        "DROP INDEX campaign_call_due",
        "CREATE INDEX campaign_call_due ON campaign_call(campaign_id, status, priority DESC, due_at, created_at)",
    ]

    /// A campaign's answering-machine detection setting (JSON, the engine's `CampaignAMD`;
    /// NULL: none). The verdicts are counted from the CDR's `amd` JSON; a CDR may keep the
    /// WAV of what the detector heard.
    static let version4 = [
        "ALTER TABLE campaign ADD COLUMN amd TEXT",
        "ALTER TABLE cdr ADD COLUMN amd_audio TEXT",
    ]

    /// Fax documents (TIFF-F files under the data directory, PDFs rendered when uploaded), a
    /// CDR's fax result (JSON, T.30 phase E's `FaxResult`; NULL when the call sent none) and
    /// the TIFF of a fax it received.
    static let version5 = [
        """
        CREATE TABLE document (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL, pages INTEGER NOT NULL,
            size INTEGER NOT NULL, created_at REAL NOT NULL)
        """,
        "ALTER TABLE cdr ADD COLUMN fax TEXT",
        "ALTER TABLE cdr ADD COLUMN fax_file TEXT",
    ]

    /// A trunk's SRTP policy (off, optional, required) and whether its SDES keys may travel
    /// over udp or tcp signaling.
    static let version6 = [
        "ALTER TABLE trunk ADD COLUMN srtp TEXT NOT NULL DEFAULT 'off'",
        "ALTER TABLE trunk ADD COLUMN srtp_plain_signaling BOOLEAN NOT NULL DEFAULT 0",
    ]
}
