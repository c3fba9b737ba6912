import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import OpenAIAPI
import OrderedJSON

/// Builds the Hearth HTTP application: OpenAI routes under `/v1` serving `models`.
///
/// - Parameters:
///   - configuration: address, limits and defaults.
///   - models: the installed models, and which are loaded (a request's `model` picks one).
///   - onServerRunning: called with the bound port once the server accepts connections.
public func buildApplication(
    configuration: ServerConfiguration,
    models: ModelRegistry,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let router = try buildRouter(configuration: configuration, models: models)
    let seconds = configuration.idleTimeout.components.seconds
    let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(seconds)))
    return Application(
        router: router,
        server: try configuration.tls.map { try .tls(http, tlsConfiguration: $0.configuration) } ?? http,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "Hearth",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)
        ),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router alone, for in-process tests.
public func buildRouter(configuration: ServerConfiguration, models: ModelRegistry) throws -> Router<BasicRequestContext> {
    let router = Router()
    if let metrics = configuration.metrics { router.add(middleware: MetricsMiddleware(metrics: metrics)) }
    // Outermost, so that error responses carry the headers too and browsers can read them.
    // With --cors-origins, the browser policy has already refused other origins.
    let origins: CORSMiddleware<BasicRequestContext>.AllowOrigin = configuration.browserPolicy.allowedOrigins.isEmpty ? .all : .originBased
    router.add(middleware: CORSMiddleware(allowOrigin: origins, allowHeaders: corsHeaders, allowMethods: [.get, .post, .delete, .head, .options]))
    router.add(middleware: OpenAIErrorMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    var policy = configuration.browserPolicy
    policy.keyRequired = !configuration.apiKeys.isEmpty
    router.add(middleware: BrowserPolicyMiddleware(policy: policy))
    // Health checks need no key (load balancers and orchestrators probe without one).
    router.get("health") { [models] _, _ in await healthResponse(models) }
    if let page = configuration.chatPage { ChatPageController(page: page).addRoutes(to: router) }
    DocsController(document: try APIDocument.make(configuration: configuration).serialized).addRoutes(to: router)
    if let metrics = configuration.metrics {
        let scrape = router.group()
        if !configuration.apiKeys.isEmpty { scrape.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys)) }
        MetricsController(metrics: metrics, models: models).addRoutes(to: scrape)
    }
    let v1 = router.group("v1")
    if !configuration.apiKeys.isEmpty {
        v1.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys))
    }
    ModelsController(models: models, embeddings: configuration.embeddings).addRoutes(to: v1)
    CompletionsController(models: models, configuration: configuration).addRoutes(to: v1)
    ChatCompletionsController(models: models, configuration: configuration).addRoutes(to: v1)
    AnthropicMessagesController(models: models, configuration: configuration).addRoutes(to: v1)
    ResponsesController(models: models, configuration: configuration).addRoutes(to: v1)
    InternalController(models: models, configuration: configuration).addRoutes(to: v1.group("internal"))
    if let embeddings = configuration.embeddings {
        EmbeddingsController(embeddings: embeddings, models: models, configuration: configuration).addRoutes(to: v1)
    }
    let ollama = router.group("api")
    if !configuration.apiKeys.isEmpty { ollama.add(middleware: APIKeyMiddleware(keys: configuration.apiKeys)) }
    OllamaController(models: models, configuration: configuration).addRoutes(to: ollama)
    let modelAdmin = ModelAdminController<BasicRequestContext>(models: models, configuration: configuration)
    modelAdmin.addInfoRoute(to: v1.group("internal/model"))
    // Admin routes check the admin key alone (text-generation-webui's rule), not the API key.
    let admin = router.group("v1/internal/model")
    if !configuration.adminKeys.isEmpty { admin.add(middleware: APIKeyMiddleware(keys: configuration.adminKeys)) }
    modelAdmin.addAdminRoutes(to: admin)
    let loraAdmin = router.group("v1/internal/lora")
    if !configuration.adminKeys.isEmpty { loraAdmin.add(middleware: APIKeyMiddleware(keys: configuration.adminKeys)) }
    LoraAdminController(models: models, configuration: configuration).addRoutes(to: loraAdmin)
    return router
}

/// Request headers browsers may send cross-origin: the usual ones plus those the official OpenAI
/// JavaScript SDK adds.
private let corsHeaders: [HTTPField.Name] =
    [.accept, .authorization, .contentType, .origin]
    + [
        "x-stainless-arch", "x-stainless-lang", "x-stainless-os", "x-stainless-package-version", "x-stainless-runtime",
        "x-stainless-runtime-version", "x-stainless-retry-count", "x-stainless-timeout", "openai-organization", "openai-project",
        "openai-beta", "x-api-key", "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access",
    ].compactMap { HTTPField.Name($0) }

/// The application serving one model whatever a request names (tests, scripted engines).
public func buildApplication(
    configuration: ServerConfiguration,
    model: ServedModel,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    try buildApplication(
        configuration: configuration,
        models: ModelRegistry(serving: model, logger: logger),
        logger: logger,
        onServerRunning: onServerRunning
    )
}
