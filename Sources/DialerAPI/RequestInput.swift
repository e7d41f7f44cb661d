import Foundation
import Hummingbird

/// Request bodies as JSON with snake_case keys (Swift properties in camelCase), with a body
/// that is not JSON, or a field of the wrong type, reported as a 400 naming the field.
enum JSONRequest {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.typeMismatch(_, problem) {
            throw APIError.invalid(field(problem.codingPath), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, problem) {
            throw APIError.missing(field(problem.codingPath))
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "the body is not a JSON object: \(error)")
        }
    }

    /// The request field a decoding path names, as the client spelled it (snake_case).
    static func field(_ path: [any CodingKey]) -> String {
        path.map { key in
            key.stringValue.reduce(into: "") { out, c in
                if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
            }
        }.joined(separator: ".")
    }
}

/// A JSON key given as a string, for hand-written encoders.
struct APIKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}

/// `?limit=N` of a paged route: 1-1000, default 100.
enum PageLimit {
    static func read(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 100 }
        guard let n = Int(text), (1...1000).contains(n) else { throw APIError.invalid("limit", "must be 1-1000") }
        return n
    }
}
