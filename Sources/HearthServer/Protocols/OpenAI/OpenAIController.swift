import Hummingbird
import OpenAIAPI

/// OpenAI's own routes under `/v1`: chat completions (``chat(_:context:model:)``), text
/// completions (``complete(_:context:model:body:choicesKey:)``) and the model list. The legacy
/// engines routes call the same methods with the model from the path.
struct OpenAIController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("models", use: list)
        group.get("models/{id}", use: retrieve)
        group.post("completions") { request, context in try await complete(request, context: context, model: nil, body: CompletionRequest.self) }
        group.post("chat/completions") { request, context in try await chat(request, context: context, model: nil) }
    }
}
