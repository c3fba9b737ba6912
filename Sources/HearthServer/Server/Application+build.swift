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
    // Every API the server speaks; each is a folder under Protocols/.
    var surfaces: [any APISurface] = [
        OperationsSurface(models: models, configuration: configuration),
        OpenAIController(models: models, configuration: configuration),
        ResponsesController(models: models, configuration: configuration),
        AnthropicMessagesController(models: models, configuration: configuration),
        OllamaController(models: models, configuration: configuration),
        TextGenerationWebUISurface(models: models, configuration: configuration),
        LegacyEnginesController(models: models, configuration: configuration),
        ImagesController(configuration: configuration),
    ]
    if configuration.speech != nil || configuration.synthesizer != nil { surfaces.append(AudioController(configuration: configuration)) }
    if let embeddings = configuration.embeddings {
        surfaces.append(EmbeddingsSurface(embeddings: embeddings, models: models, configuration: configuration))
    }
    let router = Router()
    if let name = configuration.replicaName { router.add(middleware: ReplicaHeaderMiddleware(name: name)) }
    if let metrics = configuration.metrics { router.add(middleware: MetricsMiddleware(metrics: metrics)) }
    // Outermost, so that error responses carry the headers too and browsers can read them.
    // With --cors-origins, the browser policy has already refused other origins.
    let origins: CORSMiddleware<BasicRequestContext>.AllowOriginExtended = configuration.browserPolicy.allowedOrigins.isEmpty ? .all : .originBased
    router.add(middleware: CORSMiddleware(allowOrigin: origins, allowHeaders: corsHeaders, allowMethods: [.get, .post, .delete, .head, .options]))
    router.add(middleware: ErrorMiddleware.unmatchedRoutes(of: surfaces, bodyLimit: configuration.maxBodyBytes))
    let document = try APIDocument.make(configuration: configuration, surfaces: surfaces).serialized
    for surface in surfaces {
        surface.addRoutes(to: SurfaceRoutes(router: router, surface: surface, configuration: configuration, document: document))
    }
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
