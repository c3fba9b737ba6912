import HTTPTypes
import Hummingbird

/// One API a family of clients speaks (OpenAI's, Anthropic's, Ollama's, text-generation-webui's
/// internal one, …): its routes, the envelope its errors come in, the headers its clients carry
/// the key in, and its part of the OpenAPI document. Each lives in its own folder under
/// `Protocols/`; ``buildRouter(configuration:models:)`` registers each with one line.
protocol APISurface: Sendable {
    /// How this surface's routes answer errors (every error of every route it adds).
    var envelope: ErrorEnvelope { get }
    /// Headers besides `Authorization: Bearer` in which its clients send the key (Anthropic's
    /// `x-api-key`).
    var keyHeaders: [HTTPField.Name] { get }
    /// A path prefix this surface owns, so that an unknown route under it is refused in its
    /// envelope (`/api/` for Ollama); `nil` leaves unknown routes to OpenAI's.
    var ownedPrefix: String? { get }

    /// Adds the routes, each in a group ``SurfaceRoutes`` makes (envelope, browser policy and key
    /// already in place).
    func addRoutes(to routes: SurfaceRoutes)
    /// The routes, documented: exactly the ones ``addRoutes(to:)`` adds.
    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation]
}

extension APISurface {
    var envelope: ErrorEnvelope { .openAI }
    var keyHeaders: [HTTPField.Name] { [] }
    var ownedPrefix: String? { nil }
}

/// Which of the server's keys a route group asks for.
enum KeyRequirement: Sendable {
    /// None: health checks, the docs, the chat page (which asks for the key itself).
    case none
    /// `--api-key` (when set).
    case api
    /// `--admin-key` alone, not the API key: text-generation-webui's rule for model and LoRA
    /// loading.
    case admin
}

/// Route groups for one surface: each error answered in the surface's envelope, the browser
/// policy applied, and the key the group asks for checked in the headers the surface names.
struct SurfaceRoutes {
    let router: Router<BasicRequestContext>
    let surface: any APISurface
    let configuration: ServerConfiguration
    /// The OpenAPI document of every surface, for the route that serves it.
    let document: String

    /// A group of routes under `prefix` (no leading `/`; empty for the root); with
    /// `acceptsForms`, its routes read `multipart/form-data` uploads besides JSON, of up to
    /// `bodyLimit` bytes (else `--max-body-size`).
    func group(
        _ prefix: String = "",
        key: KeyRequirement = .api,
        acceptsForms: Bool = false,
        bodyLimit: Int? = nil
    ) -> RouterGroup<BasicRequestContext> {
        let group = router.group(RouterPath(prefix))
        group.add(middleware: ErrorMiddleware(envelope: surface.envelope, bodyLimit: bodyLimit ?? configuration.maxBodyBytes))
        var policy = configuration.browserPolicy
        policy.keyRequired = !configuration.apiKeys.isEmpty
        policy.acceptsForms = acceptsForms
        group.add(middleware: BrowserPolicyMiddleware(policy: policy))
        let keys =
            switch key {
            case .none: [String]()
            case .api: configuration.apiKeys
            case .admin: configuration.adminKeys
            }
        if !keys.isEmpty { group.add(middleware: APIKeyMiddleware(keys: keys, headers: surface.keyHeaders)) }
        return group
    }
}
