import DialerStore
import Foundation
import Hummingbird

/// The REST API (issue #5): `/v1` behind bearer tokens, `/v1/health` and `/openapi.json`
/// open. Routes arrive with the engine; this is the frame they go in: errors as
/// `{"error": {...}}` (`APIError`), authentication, JSON bodies.
public enum DialerAPI {
    public static func router(store: DialerStore) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("v1/health") { _, _ in ["status": "ok"] }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let v1 = router.group("v1").add(middleware: TokenAuthentication(store: store))
        CampaignRoutes(store: store).add(to: v1)
        return router
    }
}
