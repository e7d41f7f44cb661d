import Foundation
import GRDB

/// The call detail record of one attempt.
public struct CDR: StoredRecord, Sendable, Equatable {
    public static let databaseTableName = "cdr"
    public var id: String
    public var attemptId: String?
    public var campaignId: String?
    public var phone: String
    public var trunkId: String?
    public var sipCallId: String?
    /// answered, busy, no-answer, rejected, unreachable, cancelled, dnd, interrupted; and
    /// after a tone the network played instead of an answer: invalid-number, congestion,
    /// no-answer (ringback after the 200 OK); fax-failed: answered, but the fax the flow
    /// sent or received failed (T.30's code in `fax`)
    public var outcome: String { didSet { classify() } }
    /// The outcome as statistics count it; follows outcome, SIP code and Q.850 cause.
    public private(set) var disposition: String
    public var sipCode: Int? { didSet { classify() } }
    public var q850Cause: Int? { didSet { classify() } }
    public var reason: String?
    public var startedAt: Double
    public var answeredAt: Double?
    public var endedAt: Double
    public var dtmf: String?
    /// JSON: the answers an IVR flow collected.
    public var answers: String?
    public var recording: String?
    /// JSON: the RTP figures.
    public var rtp: String?
    public var amd: String?
    /// The WAV of what the answering-machine detector heard, when the flow kept it.
    public var amdAudio: String?
    /// JSON: the fax's result (T.30 phase E), when the flow sent or received one.
    public var fax: String?

    public init(id: String = UUID().uuidString.lowercased(), attemptId: String?, campaignId: String?, phone: String, outcome: String,
                sipCode: Int? = nil, q850Cause: Int? = nil, reason: String? = nil, startedAt: Double, answeredAt: Double? = nil, endedAt: Double) {
        self.id = id
        self.attemptId = attemptId
        self.campaignId = campaignId
        self.phone = phone
        self.outcome = outcome
        self.sipCode = sipCode
        self.q850Cause = q850Cause
        self.reason = reason
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        disposition = CallDisposition(outcome: outcome, sipCode: sipCode, q850Cause: q850Cause).rawValue
    }

    /// The TIFF of a fax the call received.
    public var faxFile: String?

    private mutating func classify() {
        disposition = CallDisposition(outcome: outcome, sipCode: sipCode, q850Cause: q850Cause).rawValue
    }
}

/// Which CDRs a query wants; every filter is optional.
public struct CDRFilter: Sendable {
    public var campaignID: String?
    public var sipCallID: String?
    /// Calls started at or after `from` and before `to` (UTC seconds).
    public var from: Double?
    public var to: Double?

    public init(campaignID: String? = nil, sipCallID: String? = nil, from: Double? = nil, to: Double? = nil) {
        (self.campaignID, self.sipCallID, self.from, self.to) = (campaignID, sipCallID, from, to)
    }

    func apply(_ request: QueryInterfaceRequest<CDR>) -> QueryInterfaceRequest<CDR> {
        var request = request
        if let campaignID { request = request.filter(Column("campaign_id") == campaignID) }
        if let sipCallID { request = request.filter(Column("sip_call_id") == sipCallID) }
        if let from { request = request.filter(Column("started_at") >= from) }
        if let to { request = request.filter(Column("started_at") < to) }
        return request
    }
}

/// CDR counts by disposition, the figures a campaign report shows.
public struct CallStatistics: Sendable, Equatable, Codable {
    public var total = 0
    public var answered = 0
    public var busy = 0
    public var noAnswer = 0
    public var cancel = 0
    public var congestion = 0
    public var invalidNumber = 0
    public var channelUnavailable = 0
    public var failed = 0
    public var dnd = 0
    public var interrupted = 0
    public var faxFailed = 0
    /// Faxes T.30 confirmed (sent or received) and their pages (`CallStatistics+Fax.swift`).
    public var faxSucceeded = 0
    public var faxPages = 0
    /// The answering-machine detector's verdicts among the calls that ran it
    /// (`CallStatistics+AMD.swift`).
    public var amdHuman = 0
    public var amdMachine = 0
    public var amdNotsure = 0
    public var amdSilence = 0
    public var amdFax = 0
    public var amdRevised = 0
    public var amdMessagesLeft = 0

    public init() {}

    mutating func add(_ count: Int, to disposition: CallDisposition) {
        total += count
        switch disposition {
        case .answered: answered += count
        case .busy: busy += count
        case .noAnswer: noAnswer += count
        case .cancel: cancel += count
        case .dnd: dnd += count
        case .interrupted: interrupted += count
        case .channelUnavailable: channelUnavailable += count
        case .congestion: congestion += count
        case .invalidNumber: invalidNumber += count
        case .failed: failed += count
        case .faxFailed: faxFailed += count
        }
    }
}

/// What became of a call, in the reference dialers' terms: the column statistics count and
/// retry policies are keyed by. `congestion` is a 503, a Q.850 congestion cause (34, 38,
/// 41, 42, 44) or a special information tone of a congested network; `invalid_number` a
/// special information tone saying the number is not in service; `channel_unavailable` a
/// trunk that could not be reached; `failed` any other rejection; `interrupted` a call a
/// stop of sipdial cut; `fax_failed` an answered call whose fax T.30 did not confirm
/// (retried like a busy line).
public enum CallDisposition: String, Sendable, CaseIterable, Codable {
    case answered, busy, noAnswer = "no_answer", cancel, congestion, invalidNumber = "invalid_number", channelUnavailable = "channel_unavailable",
         failed, dnd, interrupted, faxFailed = "fax_failed"

    /// The disposition of a CDR's outcome (see `CDR.outcome`), SIP code and Q.850 cause.
    public init(outcome: String, sipCode: Int?, q850Cause: Int?) {
        switch outcome {
        case "answered": self = .answered
        case "busy": self = .busy
        case "no-answer": self = .noAnswer
        case "cancelled": self = .cancel
        case "dnd": self = .dnd
        case "interrupted": self = .interrupted
        case "unreachable": self = .channelUnavailable
        case "invalid-number": self = .invalidNumber
        case "congestion": self = .congestion
        case "fax-failed": self = .faxFailed
        default:
            if sipCode == 503 || [34, 38, 41, 42, 44].contains(q850Cause ?? 0) { self = .congestion } else { self = .failed }
        }
    }
}

extension DialerStore {
    /// Writes a CDR that belongs to no attempt (an inbound call), or replaces it by id: such a
    /// call's CDR is written `interrupted` when it is answered and replaced when it ends, so a
    /// crash in between leaves a record of it.
    public func save(_ cdr: CDR) throws {
        try pool.write { try cdr.save($0) }
    }

    /// The CDRs `filter` selects, oldest first.
    public func cdrs(campaignID: String? = nil) throws -> [CDR] {
        try pool.read { try CDRFilter(campaignID: campaignID).apply(CDR.order(Column("started_at"))).fetchAll($0) }
    }

    /// A page of CDRs in the order they were written: up to `limit` after the CDR `after`.
    public func cdrs(_ filter: CDRFilter, after: String?, limit: Int) throws -> [CDR] {
        try pool.read { try page(filter.apply(CDR.all()), after: after, limit: limit, in: $0) }
    }

    public func cdr(id: String) throws -> CDR? {
        try pool.read { try CDR.fetchOne($0, key: id) }
    }

    /// The CDRs of `filter` counted by disposition and by the detector's verdict.
    public func statistics(_ filter: CDRFilter) throws -> CallStatistics {
        try pool.read { db in
            let rows = try filter.apply(CDR.all())
                .select(sql: "disposition, COUNT(*) AS n")
                .group(sql: "disposition")
                .asRequest(of: Row.self)
                .fetchAll(db)
            var statistics = CallStatistics()
            for row in rows {
                statistics.add(row["n"], to: CallDisposition(rawValue: row["disposition"]) ?? .failed)
            }
            try addAMDStatistics(filter, to: &statistics, in: db)
            try addFaxStatistics(filter, to: &statistics, in: db)
            return statistics
        }
    }
}

extension DialerStore {
    /// Up to `limit` CDRs of `filter` in the order written, after skipping `offset`.
    public func cdrs(_ filter: CDRFilter, offset: Int, limit: Int) throws -> [CDR] {
        try pool.read { try filter.apply(CDR.all()).order(sql: "rowid").limit(limit, offset: offset).fetchAll($0) }
    }
}
