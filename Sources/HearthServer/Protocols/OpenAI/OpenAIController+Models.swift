import Foundation
import Hummingbird
import LlamaEngine
import OpenAIAPI

/// `GET /v1/models` and `GET /v1/models/{id}`: every installed model, the loaded ones first
/// (text-generation-webui lists only its loaded model).
extension OpenAIController {
    @Sendable func list(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (loaded, available) = await models.installed()
        let chat = (loaded + available).map { ModelObject(id: $0.id, created: $0.modified) }
        return jsonResponse(ModelList(data: chat + embeddingModels()))
    }

    @Sendable func retrieve(_ request: Request, context: BasicRequestContext) async throws -> Response {
        // Clients percent-encode a name's slash (`sentence-transformers%2Fall-MiniLM-L6-v2`).
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        let (loaded, available) = await models.installed()
        if let entry = ModelCatalog(entries: loaded + available).entry(named: id) {
            return jsonResponse(ModelObject(id: entry.id, created: entry.modified))
        }
        if let name = configuration.embeddings?.installedName(id), let object = embeddingModels().first(where: { $0.id == name }) {
            return jsonResponse(object)
        }
        throw OpenAIError.modelNotFound(id)
    }

    /// The embedding models, after the chat models (OpenAI clients pick from the list).
    private func embeddingModels() -> [ModelObject] {
        guard let embeddings = configuration.embeddings else { return [] }
        // `owned_by` tells them apart from chat models (the chat page leaves them out); `precision`
        // says whether their vectors are sentence-transformers' own or the fast ones.
        return embeddings.installedModels().map {
            ModelObject(id: $0.name, created: $0.modified, ownedBy: "sentence-transformers", precision: embeddings.precision.rawValue)
        }
    }
}
