import Hummingbird

/// Every failure the REST API reports: `{"error": {"code", "message", "field"}}` with the
/// fitting 4xx (docs/ARCHITECTURE.md, house rules). `field` names the request field at fault, when one is.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code: `missing_field`, `invalid_field`, `not_found`, ...
    public var code: String
    public var message: String
    public var field: String?
    /// Seconds for a `Retry-After` header (429).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
    }

    public static func missing(_ field: String) -> APIError {
        APIError(.badRequest, code: "missing_field", message: "'\(field)' is required", field: field)
    }

    public static func invalid(_ field: String, _ problem: String) -> APIError {
        APIError(.badRequest, code: "invalid_field", message: "'\(field)' \(problem)", field: field)
    }

    public static func notFound(_ what: String, id: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "no \(what) '\(id)'")
    }

    public static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "a valid bearer token is required (sipdial token create)")

    public static func tooManyAttempts(retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, code: "too_many_attempts", message: "too many failed token attempts from this address: try again in \(seconds) s",
                 retryAfter: seconds)
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let field: String?
        }
        let error: Detail
    }

    public var headers: HTTPFields { retryAfter.map { [.retryAfter: "\($0)"] } ?? [:] }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(Body(error: .init(code: code, message: message, field: field)), from: request, context: context)
        response.status = status
        response.headers.append(contentsOf: headers)
        return response
    }
}
