import DialerEngine
import DialerStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import ServiceLifecycle

/// The REST API (issue #5): `/v1` behind bearer tokens, `/v1/health` and `/openapi.json`
/// open. Routes arrive with the engine; this is the frame they go in: errors as
/// `{"error": {...}}` (`APIError`), authentication, JSON bodies.
public enum DialerAPI {
    /// The routes over `store`; the call routes act through `dialer` (503 without one).
    public static func router(store: DialerStore, dialer: Dialer? = nil) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.get("v1/health") { _, _ in ["status": "ok"] }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        // One count of failed token attempts per address across both authentications.
        let attempts = AuthenticationAttempts()
        let v1 = router.group("v1").add(middleware: TokenAuthentication(store: store, attempts: attempts))
        CampaignRoutes(store: store).add(to: v1)
        TrunkRoutes(store: store, monitor: dialer?.trunkMonitor).add(to: v1)
        ContactRoutes(store: store).add(to: v1)
        CampaignCallRoutes(store: store).add(to: v1)
        DoNotCallRoutes(store: store).add(to: v1)
        CDRRoutes(store: store).add(to: v1)
        CallRoutes(store: store, dialer: dialer).add(to: v1)
        FaxRoutes(calls: CallRoutes(store: store, dialer: dialer)).add(to: v1)
        CallbackRoutes(store: store).add(to: v1)
        RecordingRoutes(store: store, forget: { dialer?.context.prompts.forget(recording: $0) }).add(to: v1)
        DocumentRoutes(store: store).add(to: v1)
        SecurityRoutes(dialer: dialer).add(to: v1)
        EventRoutes(log: dialer?.events).add(to: v1)
        let cpaas = router.group("api").add(middleware: CPaaS.Authentication(store: store, attempts: attempts))
        CPaaSCallRoutes(store: store, dialer: dialer, calls: CallRoutes(store: store, dialer: dialer)).add(to: cpaas)
        CPaaSCampaignRoutes(store: store).add(to: cpaas)
        CPaaSCDRRoutes(store: store, liveCalls: dialer?.liveCalls).add(to: cpaas)
        // The seed writes this one without /api in its URL (and with it in its example).
        router.group().add(middleware: CPaaS.Authentication(store: store, attempts: attempts)).post("stop_campaign") { request, _ in
            try await CPaaSCampaignRoutes<APIRequestContext>(store: store).stop(request)
        }
        return router
    }
}

extension DialerAPI {
    /// Serves the API on `host:port` (port 0: any free port) with `services` beside it (the
    /// dialer's, `Dialer.services`) in one service group, until SIGTERM or SIGINT: then the
    /// server lets requests in flight finish and the services shut down in reverse order.
    /// `onListening` gets the port once the socket listens. With `tls` (a certificate and
    /// its key) the API is served over HTTPS only.
    public static func serve(store: DialerStore, dialer: Dialer?, services: [any Service], host: String, port: Int, tls: TLSConfiguration? = nil,
                             logger: Logger, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(router: router(store: store, dialer: dialer), server: server, configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { onListening($0.localAddress?.port ?? port) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: services + [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
