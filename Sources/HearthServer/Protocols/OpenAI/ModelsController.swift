import Foundation
import Hummingbird
import OpenAIAPI

/// `GET /v1/models` and `GET /v1/models/{id}`: every installed model, the loaded ones first
/// (text-generation-webui lists only its loaded model).
struct ModelsController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    /// Listed after the chat models.
    var embeddings: EmbeddingModels? = nil

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("models", use: list)
        group.get("models/{id}", use: retrieve)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let (loaded, available) = await models.installed()
        let chat = (loaded + available).map { ModelObject(id: $0.id, created: $0.modified) }
        return jsonResponse(ModelList(data: chat + embeddingModels()))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        // Clients percent-encode a name's slash (`sentence-transformers%2Fall-MiniLM-L6-v2`).
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        let (loaded, available) = await models.installed()
        if let entry = ModelCatalog(entries: loaded + available).entry(named: id) {
            return jsonResponse(ModelObject(id: entry.id, created: entry.modified))
        }
        if let name = embeddings?.installedName(id), let object = embeddingModels().first(where: { $0.id == name }) {
            return jsonResponse(object)
        }
        throw OpenAIError.modelNotFound(id)
    }

    /// The embedding models, after the chat models (OpenAI clients pick from the list).
    private func embeddingModels() -> [ModelObject] {
        guard let embeddings else { return [] }
        // `owned_by` tells them apart from chat models (the chat page leaves them out).
        return embeddings.installedModels().map { ModelObject(id: $0.name, created: $0.modified, ownedBy: "sentence-transformers") }
    }
}

/// A 200 JSON response on a connection that stays open.
/// `/health`'s answer: 503 while the default model is missing after a failed `model/load`.
func healthResponse(_ models: ModelRegistry) async -> Response {
    let status = HealthStatus(problem: await models.defaultLoadFailure)
    var response = jsonResponse(status)
    if status.problem != nil { response.status = .serviceUnavailable }
    return response
}

func jsonResponse(_ value: some JSONRepresentable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: value.jsonText)))
}
