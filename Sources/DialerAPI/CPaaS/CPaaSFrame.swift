import DialerEngine
import DialerStore
import Foundation
import HTTPTypes
import Hummingbird

/// The CPaaS-compatible routes' conventions (../shared/seeds/cpaas-api.txt): credentials in
/// the `account` and `auth` headers, bodies whose values are strings ("10") or numbers, and
/// every answer wrapped as `{"response": {..., "success": "true"}}` — or `"false"` with a
/// `message` (and the `field` at fault) on an error, with the fitting 4xx status. The routes
/// may throw the `/v1` checks' `APIError`s: `Authentication` puts them in this envelope.
enum CPaaS {
    /// The answer envelope.
    struct Response: ResponseEncodable {
        var fields: [String: JSONValue]

        init(_ fields: [String: JSONValue]) { self.fields = fields }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: APIKey.self)
            var body = fields
            body["success"] = .string("true")
            try container.encode(JSONValue.object(body), forKey: "response")
        }
    }

    /// An error in the envelope's shape.
    struct Failure: Error, HTTPResponseError {
        var status: HTTPResponse.Status
        var message: String
        var field: String?
        /// Seconds for a `Retry-After` header (429).
        var retryAfter: Int?

        var headers: HTTPFields { retryAfter.map { [.retryAfter: "\($0)"] } ?? [:] }

        func response(from request: Request, context: some RequestContext) throws -> Hummingbird.Response {
            var body: [String: JSONValue] = ["message": .string(message), "success": .string("false")]
            if let field { body["field"] = .string(field) }
            let data = try JSONEncoder().encode(JSONValue.object(["response": .object(body)]))
            var fields = headers
            fields[.contentType] = "application/json"
            return Hummingbird.Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: data)))
        }

        static func missing(_ field: String) -> Failure { Failure(status: .badRequest, message: "'\(field)' is required", field: field) }
        static func invalid(_ field: String, _ problem: String) -> Failure { Failure(status: .badRequest, message: "'\(field)' \(problem)", field: field) }
        static func notFound(_ what: String, _ id: String, field: String) -> Failure {
            Failure(status: .notFound, message: "no \(what) '\(id)'", field: field)
        }

        /// The same problem as the `/v1` routes report it.
        init(_ error: APIError) {
            (status, message, field, retryAfter) = (error.status, error.message, error.field, error.retryAfter)
        }

        init(status: HTTPResponse.Status, message: String, field: String?) {
            (self.status, self.message, self.field) = (status, message, field)
        }
    }

    /// `account` names the token (`sipdial token create <account>`) and `auth` is the token.
    struct Authentication<Context: RemoteAddressRequestContext>: RouterMiddleware {
        let store: DialerStore
        let attempts: AuthenticationAttempts

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Hummingbird.Response) async throws -> Hummingbird.Response {
            do { try attempts.checkNotBlocked(context.remoteAddress) } catch let error as APIError { throw Failure(error) }
            let account = request.headers[HTTPField.Name("account")!] ?? ""
            let auth = request.headers[HTTPField.Name("auth")!] ?? ""
            guard let token = try store.authenticate(token: auth, now: Date().timeIntervalSince1970), token.name == account else {
                attempts.failed(context.remoteAddress)
                throw Failure(status: .unauthorized, message: "the account and auth headers do not name a token (sipdial token create <account>)", field: nil)
            }
            do { return try await next(request, context) } catch let error as APIError { throw Failure(error) }
        }
    }

    /// A request body: a JSON object whose values are read as strings or numbers.
    struct Body: Sendable {
        let values: [String: JSONValue]

        static func read(_ request: Request) async throws -> Body {
            let buffer = try await request.body.collect(upTo: 8 << 20)
            if buffer.readableBytes == 0 { return Body(values: [:]) }
            guard case .object(let values)? = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
                throw Failure(status: .badRequest, message: "the body is not a JSON object", field: nil)
            }
            return Body(values: values)
        }

        /// The value as text ("10" and 10 both read "10"); nil when absent, null or empty.
        func string(_ key: String) throws -> String? {
            switch values[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s.trimmingCharacters(in: .whitespaces)
            case .number(let n)?: return n == n.rounded() ? String(Int(n)) : String(n)
            default: throw Failure.invalid(key, "must be a string")
            }
        }

        func required(_ key: String) throws -> String {
            guard let value = try string(key) else { throw Failure.missing(key) }
            return value
        }

        func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = try string(key) else { return nil }
            guard let n = Int(text), range.contains(n) else { throw Failure.invalid(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return n
        }

        func phone(_ key: String) throws -> String {
            try PhoneNumber.normalize(try required(key), field: key)
        }

        /// One of `choices`' keys, mapped to its value.
        func choice<T>(_ key: String, _ choices: [String: T], default fallback: T) throws -> T {
            guard let text = try string(key) else { return fallback }
            guard let value = choices[text.lowercased()] else {
                throw Failure.invalid(key, "must be one of \(choices.keys.sorted().joined(separator: ", "))")
            }
            return value
        }

        /// A date-time "YYYY-mm-dd hh:mm:ss" (or ISO 8601) in `zone`.
        func time(_ key: String, zone: TimeZone) throws -> Double? {
            guard let text = try string(key) else { return nil }
            return try CampaignTime.read(text, zone: zone, field: key)
        }

        func zone(_ key: String) throws -> TimeZone {
            guard let name = try string(key) else { return .gmt }
            guard let zone = TimeZone(identifier: name) else { throw Failure.invalid(key, "is not a time zone name (e.g. Asia/Kolkata)") }
            return zone
        }
    }

    /// The speech settings of the seed's TTS fields: Polly-style voice names fall back to
    /// the language's espeak-ng voice; volume, rate and pitch words map to espeak values.
    static func speech(_ body: Body) throws -> [String: JSONValue] {
        let language = (try body.string("language_code") ?? "en-US").lowercased()
        let volume = try body.choice("volume", ["silent": 0, "x-soft": 40, "soft": 70, "medium": 100, "loud": 140, "x-loud": 180], default: 100)
        let rate = try body.choice("rate", ["x-slow": 100, "slow": 130, "medium": 160, "fast": 200, "x-fast": 250], default: 160)
        let pitch = try body.choice("pitch", ["x-low": 20, "low": 35, "medium": 50, "high": 65, "x-high": 80], default: 50)
        return ["voice": .string(language), "volume": .number(Double(volume)), "rate": .number(Double(rate)), "pitch": .number(Double(pitch))]
    }

    /// `recording_option`: on (both sides), off, agent, customer, both.
    static func recording(_ body: Body) throws -> ClickToCall.Recording {
        try body.choice("recording_option", ["on": .both, "off": .off, "agent": .agent, "customer": .customer, "both": .both], default: .off)
    }

    /// A time as the seed prints it: "Tue, 18 Jul 2023 06:11:30 GMT".
    static func httpDate(_ time: Double?) -> JSONValue {
        UTCTime.http(time).map(JSONValue.string) ?? .null
    }
}
