import GRDB

/// The answering-machine detector's verdicts among a set of CDRs (issue #22 item 6), as
/// flat counts beside the dispositions (`amd_human`, `amd_machine` …): how many calls it
/// judged each way (a revised verdict counts as what it was revised to), how many verdicts
/// were revised after a `human`, and on how many calls a voicemail message was started
/// after the beep. Read from each CDR's `amd` JSON.
extension CallStatistics {
    mutating func addAMD(_ count: Int, verdict: String, revised: Bool, messageLeft: Bool) {
        switch verdict {
        case "human": amdHuman += count
        case "machine": amdMachine += count
        case "silence": amdSilence += count
        case "fax": amdFax += count
        default: amdNotsure += count
        }
        if revised { amdRevised += count }
        if messageLeft { amdMessagesLeft += count }
    }
}

extension DialerStore {
    /// Adds the verdicts of the CDRs of `filter` that ran the detector, in one query.
    func addAMDStatistics(_ filter: CDRFilter, to statistics: inout CallStatistics, in db: Database) throws {
        let rows = try filter.apply(CDR.all())
            .filter(sql: "amd IS NOT NULL")
            .select(sql: """
                json_extract(amd, '$.verdict') AS verdict, COALESCE(json_extract(amd, '$.revised'), 0) AS revised,
                json_extract(amd, '$.message_started_ms') IS NOT NULL AS message_left, COUNT(*) AS n
                """)
            .group(sql: "1, 2, 3")
            .asRequest(of: Row.self)
            .fetchAll(db)
        for row in rows {
            statistics.addAMD(row["n"], verdict: row["verdict"] ?? "notsure", revised: row["revised"], messageLeft: row["message_left"])
        }
    }
}
