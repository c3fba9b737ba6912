import Hummingbird
import OpenAIAPI

/// OpenAI's own routes under `/v1`: chat completions (``chat(_:context:model:)``), text
/// completions (``complete(_:context:model:body:choicesKey:)``) and the model list. The legacy
/// engines routes call the same methods with the model from the path.
struct OpenAIController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

}
