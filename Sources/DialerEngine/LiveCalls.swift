import Foundation
import SIPUserAgent
import Synchronization

/// The calls up now, campaign calls and single calls alike: what `GET /v1/calls` lists and
/// what a hang-up, transfer or DTMF request reaches. Kept in memory only: a call does not
/// outlive the process, and after a crash its attempt is closed as `interrupted`.
public final class LiveCalls: Sendable {
    /// One call's row in the list.
    public struct Info: Sendable, Equatable, Codable {
        public var id: String
        /// campaign, call, otp, callback or click-to-call.
        public var kind: String
        public var phone: String
        public var campaignId: String?
        /// The callback this call places, if any (it is found by that id too).
        public var callbackId: String?
        public var trunkId: String?
        public var sipCallId: String?
        /// dialing, ringing, early-media, answered; a click-to-call first agent-ringing and
        /// agent-answered.
        public var state: String
        public var startedAt: Date
        public var answeredAt: Date?
        /// The answering-machine detector's verdict, once it has one.
        public var amd: String?
    }

    private typealias Entry = (info: Info, attempt: any HangUpable)
    private let calls = Mutex<[String: Entry]>([:])

    public init() {}

    func add(_ attempt: any HangUpable, info: Info) {
        calls.withLock { $0[info.id] = (info, attempt) }
    }

    func remove(_ id: String) {
        _ = calls.withLock { $0.removeValue(forKey: id) }
    }

    /// Follows a call's progress into its row.
    func update(_ id: String, with event: CallEvent) {
        calls.withLock { calls in
            guard var entry = calls[id] else { return }
            switch event {
            // A click-to-call's customer leg rings after its agent answered.
            case .progress: if entry.info.state == "dialing" || entry.info.state == "agent-answered" { entry.info.state = "ringing" }
            case .earlyMedia: entry.info.state = "early-media"
            case .answered:
                entry.info.state = "answered"
                entry.info.answeredAt = Date()
            default: return
            }
            calls[id] = entry
        }
    }

    /// The answering-machine detector judged the call (or revised its verdict).
    func setVerdict(_ id: String, _ verdict: String) {
        calls.withLock { $0[id]?.info.amd = verdict }
    }

    /// A click-to-call's state: `agent-ringing`, `agent-answered`, then the customer's.
    func setState(_ id: String, _ state: String, answered: Bool = false) {
        calls.withLock { calls in
            calls[id]?.info.state = state
            if answered { calls[id]?.info.answeredAt = Date() }
        }
    }

    func setSIPCallID(_ id: String, _ callID: String) {
        calls.withLock { $0[id]?.info.sipCallId = callID }
    }

    /// The calls up now, oldest first.
    public var list: [Info] {
        calls.withLock { $0.values.map(\.info) }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    public var count: Int { calls.withLock { $0.count } }

    /// The call `id` (the live call's id, its SIP Call-ID or its callback's id).
    public func call(_ id: String) -> (any HangUpable)? {
        calls.withLock { Self.find(id, in: $0)?.attempt }
    }

    public func info(_ id: String) -> Info? {
        calls.withLock { Self.find(id, in: $0)?.info }
    }

    private static func find(_ id: String, in calls: [String: Entry]) -> Entry? {
        calls[id] ?? calls.values.first { $0.info.sipCallId == id || $0.info.callbackId == id }
    }

    /// Hangs up every call (shutdown after the drain time).
    public func hangUpAll() {
        for entry in calls.withLock({ Array($0.values) }) { entry.attempt.hangUp() }
    }
}

/// A call in progress the API can end: a single call (`CallAttempt`, which also takes DTMF
/// and transfers) or a click-to-call (`CallBridge`).
public protocol HangUpable: AnyObject, Sendable {
    /// CANCEL while ringing, BYE once answered; from any thread.
    func hangUp()
}

extension CallAttempt: HangUpable {}
extension CallBridge: HangUpable {}
