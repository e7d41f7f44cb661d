import DialerStore
import Foundation
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>` naming a token the
/// store knows (`sipdial token create`); anything else gets 401 with the API's error body,
/// and an address that failed too often gets 429 (`AuthenticationAttempts`).
struct TokenAuthentication<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let store: DialerStore
    let attempts: AuthenticationAttempts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try attempts.checkNotBlocked(context.remoteAddress)
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
              try store.authenticate(token: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces),
                                     now: Date().timeIntervalSince1970) != nil else {
            attempts.failed(context.remoteAddress)
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}
