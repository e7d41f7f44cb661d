import GRDB

/// Faxes among a set of CDRs (issue #23): how many T.30 confirmed and their pages, beside
/// the `fax_failed` disposition. Read from each CDR's `fax` JSON.
extension DialerStore {
    func addFaxStatistics(_ filter: CDRFilter, to statistics: inout CallStatistics, in db: Database) throws {
        let row = try filter.apply(CDR.all())
            .filter(sql: "fax IS NOT NULL AND json_extract(fax, '$.success') = 1")
            .select(sql: """
                COUNT(*) AS n, COALESCE(SUM(json_extract(fax, '$.pages_sent') + json_extract(fax, '$.pages_received')), 0) AS pages
                """)
            .asRequest(of: Row.self)
            .fetchOne(db)
        statistics.faxSucceeded = row?["n"] ?? 0
        statistics.faxPages = row?["pages"] ?? 0
    }
}
