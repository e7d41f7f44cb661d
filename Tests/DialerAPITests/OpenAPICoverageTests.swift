import DialerAPI
import DialerStore
import Foundation
import Testing

/// `/openapi.json` describes every route the router serves, with its method: a route added
/// without its documentation fails here.
struct OpenAPICoverageTests {
    @Test func everyRouteIsInTheDocument() async throws {
        try await RESTTests.withServer { base, _, store in
            let (_, document) = try await RESTTests.send("GET", base.appendingPathComponent("openapi.json"), token: nil)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let routes = DialerAPI.router(store: store).routes
            #expect(routes.count > 30)
            for route in routes where route.path.description != "/openapi.json" {
                // ":id" in the router is "{id}" in OpenAPI; the lifecycle actions are one
                // templated path.
                var path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                if path.count == 4, path[1] == "campaigns", ["start", "pause", "resume", "stop"].contains(path[3]) { path[3] = "{action}" }
                let documented = "/" + path.joined(separator: "/")
                let methods = paths[documented]
                #expect(methods?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(documented) is not in /openapi.json")
            }
        }
    }
}
