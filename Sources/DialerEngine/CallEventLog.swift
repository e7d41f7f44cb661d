import Foundation
import Synchronization

/// The call events of every call (initiated, ringing, answered, amd, fax, completed with its
/// CDR: the status-callback events), each campaign's progress after each of its calls and
/// each trunk's state when it changes, numbered in the order they happened and kept in a
/// bounded buffer (at least the last `capacity`), for `GET /v1/events` (server-sent events).
/// A client that reconnects with the last id it read gets what it missed, as long as the
/// buffer still holds it. Publishing takes a lock and an append; an event's JSON is written
/// only when a subscriber reads it, so calls pay nothing for a stream nobody watches.
public final class CallEventLog: Sendable {
    /// One event: its number, the call (nil for a campaign's progress) and campaign it is
    /// about, its name and what it carries.
    public struct Entry: Sendable {
        public var id: Int
        public var callID: String?
        public var campaignID: String?
        public var name: String
        fileprivate var payload: Payload

        /// The event's JSON, one line.
        public var json: String {
            switch payload {
            case .callback(let callback): callback.json
            case .fields(let fields): JSONValue.object(fields).text
            }
        }
    }

    /// A status callback, or the fields of a campaign's progress or a trunk's state.
    fileprivate enum Payload: Sendable {
        case callback(StatusCallback)
        case fields([String: JSONValue])
    }

    /// What a subscriber receives: events, and a heartbeat while nothing happens (so a
    /// client that went away is noticed at the next write).
    public enum Delivery: Sendable {
        case event(Entry)
        case heartbeat
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 1
        var subscribers: [Int: AsyncStream<Delivery>.Continuation] = [:]
        var nextSubscriber = 0
    }

    private let state = Mutex(State())
    public let capacity: Int
    public let heartbeat: Duration

    public init(capacity: Int = 10_000, heartbeat: Duration = .seconds(15)) {
        (self.capacity, self.heartbeat) = (capacity, heartbeat)
    }

    /// Numbers `callback` and hands it to every subscriber.
    func publish(_ callback: StatusCallback) {
        publish(name: callback.event, callID: callback.callId, campaignID: callback.campaignId, payload: .callback(callback))
    }

    /// A campaign's queue after one of its calls ended: `campaign_progress` with the count of
    /// its calls pending, dialing and done.
    func publishProgress(campaignID: String, progress: [String: Int]) {
        let fields: [String: JSONValue] = [
            "event": .string("campaign_progress"), "campaign_id": .string(campaignID),
            "progress": .object(progress.mapValues { .number(Double($0)) }),
            "timestamp": .string(UTCTime.iso8601(Date().timeIntervalSince1970) ?? ""),
        ]
        publish(name: "campaign_progress", callID: nil, campaignID: campaignID, payload: .fields(fields))
    }

    /// A trunk's registration or reachability changed: `trunk_state` with its status as
    /// `GET /v1/trunks/{id}` shows it.
    func publishTrunkState(trunkID: String, status: TrunkMonitor.Status) {
        var fields: [String: JSONValue] = [
            "event": .string("trunk_state"), "trunk_id": .string(trunkID),
            "timestamp": .string(UTCTime.iso8601(Date().timeIntervalSince1970) ?? ""),
        ]
        if let registration = status.registration { fields["registration"] = .string(registration) }
        if let reachable = status.reachable { fields["reachable"] = .bool(reachable) }
        if let error = status.lastError { fields["last_error"] = .string(error) }
        publish(name: "trunk_state", callID: nil, campaignID: nil, payload: .fields(fields))
    }

    private func publish(name: String, callID: String?, campaignID: String?, payload: Payload) {
        state.withLock { state in
            let entry = Entry(id: state.nextID, callID: callID, campaignID: campaignID, name: name, payload: payload)
            state.nextID += 1
            state.entries.append(entry)
            // Trimmed back to `capacity` once it holds twice that: one move per `capacity`
            // events, not one per event.
            if state.entries.count >= 2 * capacity { state.entries.removeFirst(state.entries.count - capacity) }
            for continuation in state.subscribers.values { continuation.yield(.event(entry)) }
        }
    }

    /// The events after `lastID` still held (all held when nil), then every new one, in
    /// order and none twice: the backlog is read and the subscription made in one step.
    /// `gap` is true when events after `lastID` were already dropped from the buffer.
    public func subscribe(after lastID: Int?) -> (backlog: [Entry], gap: Bool, deliveries: AsyncStream<Delivery>) {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let (backlog, gap, key) = state.withLock { state -> ([Entry], Bool, Int) in
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = continuation
            let backlog = lastID.map { last in state.entries.filter { $0.id > last } } ?? state.entries
            let oldest = state.entries.first?.id ?? state.nextID
            return (backlog, lastID.map { $0 + 1 < oldest } ?? false, key)
        }
        let beat = heartbeat
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: beat)
                continuation.yield(.heartbeat)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker.cancel()
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return (backlog, gap, stream)
    }

    /// Subscribers listening now.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
