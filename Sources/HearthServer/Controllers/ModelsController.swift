import Hummingbird
import OpenAIAPI

/// `GET /v1/models` and `GET /v1/models/{id}`: every installed model, the loaded ones first
/// (text-generation-webui lists only its loaded model).
struct ModelsController<Context: RequestContext>: Sendable {
    let models: ModelRegistry

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("models", use: list)
        group.get("models/{id}", use: retrieve)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let (loaded, available) = await models.installed()
        return jsonResponse(ModelList(data: (loaded + available).map { ModelObject(id: $0.id, created: $0.modified) }))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let (loaded, available) = await models.installed()
        guard let entry = ModelCatalog(entries: loaded + available).entry(named: id) else { throw OpenAIError.modelNotFound(id) }
        return jsonResponse(ModelObject(id: entry.id, created: entry.modified))
    }
}

/// A 200 JSON response on a connection that stays open.
func jsonResponse(_ value: some JSONRepresentable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: value.jsonText)))
}
