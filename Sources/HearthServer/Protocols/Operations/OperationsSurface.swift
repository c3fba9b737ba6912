import Hummingbird
import OpenAIAPI

/// What operators and browsers use: `/health`, the API document and its page, the chat page
/// and `/metrics`. Only `/metrics` asks for the key.
struct OperationsSurface: APISurface {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to routes: SurfaceRoutes) {
        let open = routes.group(key: .none)
        // Health checks need no key (load balancers and orchestrators probe without one).
        open.get("health") { [models] _, _ in await healthResponse(models) }
        if let page = configuration.chatPage { ChatPageController(page: page).addRoutes(to: open) }
        DocsController(document: routes.document).addRoutes(to: open)
        if let metrics = configuration.metrics {
            MetricsController(metrics: metrics, models: models).addRoutes(to: routes.group())
        }
    }

    /// The chat page is left out: it is for people, not clients.
    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        var operations: [APIDocument.Operation] = [
            .init(
                method: "get",
                path: "/health",
                tag: "Operations",
                summary: "Ready to serve (no key needed)",
                examples: [HealthStatus()],
                keyed: false
            ),
            .init(method: "get", path: "/openapi.json", tag: "Operations", summary: "This document", mediaType: "application/json", keyed: false),
            .init(method: "get", path: "/docs", tag: "Operations", summary: "This document as a page", mediaType: "text/html", keyed: false),
        ]
        if configuration.metrics != nil {
            operations.append(
                .init(method: "get", path: "/metrics", tag: "Operations", summary: "Prometheus metrics (--metrics)", mediaType: "text/plain")
            )
        }
        return operations
    }
}

/// `/health`'s answer: 503 while the default model is missing after a failed `model/load`, while
/// an RPC worker holding a model's layers cannot be reached, and while the server drains before
/// it stops.
func healthResponse(_ models: ModelRegistry) async -> Response {
    let status = HealthStatus(problem: await models.healthProblem(), draining: await models.draining)
    var response = jsonResponse(status)
    if status.problem != nil || status.draining { response.status = .serviceUnavailable }
    return response
}
