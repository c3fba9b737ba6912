import Hummingbird
import OpenAIAPI

/// `GET /v1/models` and `GET /v1/models/{id}`.
struct ModelsController<Context: RequestContext>: Sendable {
    let model: ServedModel

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("models", use: list)
        group.get("models/{id}", use: retrieve)
    }

    private var object: ModelObject { ModelObject(id: model.id, created: model.created) }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        jsonResponse(ModelList(data: [object]))
    }

    @Sendable func retrieve(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        guard model.answers(to: id) else { throw OpenAIError.modelNotFound(id) }
        return jsonResponse(object)
    }
}

/// A 200 JSON response on a connection that stays open.
func jsonResponse(_ value: some JSONRepresentable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: value.jsonText)))
}
