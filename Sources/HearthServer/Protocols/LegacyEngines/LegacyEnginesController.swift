import Foundation
import Hummingbird
import OpenAIAPI

/// The engines API of `openai<0.28` (the original document's legacy routes): the model named
/// in the path, the request otherwise as the current routes read it.
///
/// - `GET /v1/engines`: the models, loaded first (`ready`).
/// - `GET /v1/engines/{model}`: that model, loaded if it was not (the document: "you can use
///   this legacy endpoint to load models"); it stays resident like any model a request named,
///   and the default model does not change.
/// - `POST /v1/engines/{model}/completions`, `/chat/completions`, `/embeddings`: as the routes
///   without the prefix (`Completion.create(engine=…)` comes here).
/// - `POST /v1/engines/{model}/generate`: a completion with `length` for `max_tokens`, its
///   choices listed as `data`.
struct LegacyEnginesController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    @Sendable func list(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (loaded, available) = await models.installed()
        let engines =
            loaded.map { EngineObject(id: $0.id, created: $0.modified, ready: true) }
            + available.map { EngineObject(id: $0.id, created: $0.modified, ready: false) }
        return jsonResponse(EngineList(data: engines))
    }

    /// An installed model, loaded; a name nothing is installed under is a 404, whatever
    /// `--strict-model-names` says (this route names one model, it does not pick a default).
    @Sendable func retrieve(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let name = try Self.model(context)
        let (loaded, available) = await models.installed()
        guard let entry = ModelCatalog(entries: loaded + available).entry(named: name) else { throw OpenAIError.modelNotFound(name) }
        return try await models.withModel(entry.id) { model in jsonResponse(EngineObject(id: model.id, created: entry.modified, ready: true)) }
    }

    /// The path's model: clients percent-encode a name's slash (`quote_plus` in `openai<0.28`).
    static func model(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("model")
        return raw.removingPercentEncoding ?? raw
    }
}
