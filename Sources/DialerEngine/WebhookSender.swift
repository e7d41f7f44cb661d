import Crypto
import DialerStore
import Fax
import Foundation
import Media
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import Synchronization

/// Sends call events to status-callback URLs (issue #5 item 6). Each event is written to
/// the store first (`webhook_delivery`), then POSTed as JSON with the header
/// `Sipdial-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` keyed with the
/// data directory's webhook secret. A 2xx answer delivers it; anything else (or no answer in
/// 10 s) is retried after 2, 4, 8 ... seconds (at most an hour apart) up to `maxAttempts`
/// tries; a restart resends what was not delivered. A service of `serve`'s group: it sends
/// until the group shuts down, then lets the deliveries under way end (each has its 10 s).
public actor WebhookSender: Service {
    let store: DialerStore
    let key: SymmetricKey
    let logger: Logger
    public static let maxAttempts = 15
    /// Set at the group's shutdown, from any thread.
    private let stopped = Atomic(false)
    private let alarm = Alarm()
    private var sending: Set<String> = []

    public init(store: DialerStore, secret: String, logger: Logger) {
        self.store = store
        key = SymmetricKey(data: Data(secret.utf8))
        self.logger = logger
    }

    /// The data directory's signing secret (`<data>/webhook-secret`), made on first use:
    /// 32 random bytes as hex, readable by the owner only.
    public static func secret(in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("webhook-secret")
        if let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        _ = FileManager.default.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        return secret
    }

    /// The signature header's value for `body` sent at `time`.
    public static func signature(_ body: String, time: Int, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(time).\(body)".utf8), using: key)
        return "t=\(time),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Stores `event` for `url` and wakes the sender. Never throws: a lost event is logged.
    public nonisolated func notify(_ url: String, _ event: StatusCallback) {
        do {
            try store.enqueue(WebhookDelivery(url: url, payload: event.json, now: Date().timeIntervalSince1970))
            self.alarm.ring()
        } catch {
            logger.error("webhook not stored", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }

    /// Sends due events, each delivery a task of its own, until the group shuts down or is
    /// cancelled; returns once the deliveries under way have ended.
    public func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !stopped.load(ordering: .relaxed) {
                    do {
                        let now = Date().timeIntervalSince1970
                        for delivery in try store.dueWebhooks(now: now, maxAttempts: Self.maxAttempts, limit: 100) where !sending.contains(delivery.id) {
                            sending.insert(delivery.id)
                            group.addTask { await self.send(delivery) }
                        }
                    } catch {
                        logger.error("webhook queue unreadable", metadata: ["error": "\(error)"])
                    }
                    await alarm.sleep(0.5)
                }
            }
        } onCancelOrGracefulShutdown: {
            self.stopped.store(true, ordering: .relaxed)
            self.alarm.ring()
        }
    }

    private func send(_ delivery: WebhookDelivery) async {
        defer { sending.remove(delivery.id) }
        let now = Date().timeIntervalSince1970
        var problem: String?
        if let url = URL(string: delivery.url) {
            var request = URLRequest(url: url, timeoutInterval: 10)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("sipdial", forHTTPHeaderField: "User-Agent")
            request.setValue(Self.signature(delivery.payload, time: Int(now), key: key), forHTTPHeaderField: "Sipdial-Signature")
            request.httpBody = Data(delivery.payload.utf8)
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if !(200..<300).contains(status) { problem = "HTTP \(status)" }
            } catch {
                problem = "\(error.localizedDescription)"
            }
        } else {
            problem = "not a URL"
        }
        let delay = min(3600, 2 * pow(2, Double(delivery.attempts)))
        do { try store.recordWebhookAttempt(delivery.id, now: now, error: problem, retryAt: now + delay) } catch {
            logger.error("webhook attempt not recorded", metadata: ["id": "\(delivery.id)", "error": "\(error)"])
        }
        if let problem {
            logger.notice("webhook not delivered", metadata: ["url": "\(delivery.url)", "try": "\(delivery.attempts + 1)", "error": "\(problem)"])
        }
    }
}

/// One event of a call, as a status callback receives it.
public struct StatusCallback: Encodable, Sendable {
    /// initiated, ringing, answered, amd, amd_revised, fax, completed
    public var event: String
    /// The call's id (its attempt), as `/v1/calls/{id}` knows it.
    public var callId: String
    public var sipCallId: String?
    public var campaignId: String?
    public var phone: String
    public var timestamp: String
    /// With `completed`: the CDR.
    public var cdr: CDRJSON?
    /// With `amd` and `amd_revised`: the answering-machine detector's verdict, cause and evidence.
    public var amd: AMDResult?
    /// With `fax`: T.30's result of the fax a flow sent or received.
    public var fax: FaxResult?

    public init(event: String, callId: String, sipCallId: String?, campaignId: String?, phone: String, cdr: CDR? = nil) {
        (self.event, self.callId, self.sipCallId, self.campaignId, self.phone) = (event, callId, sipCallId, campaignId, phone)
        timestamp = UTCTime.iso8601(Date().timeIntervalSince1970) ?? ""
        self.cdr = cdr.map(CDRJSON.init)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
