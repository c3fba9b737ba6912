import Hummingbird
import OrderedJSON

extension ModelRegistry {
    /// Collects a request's JSON body (at most `limit` bytes) and runs `body` with the model
    /// `name` names, else the body's `model`: how the routes that read their body as JSON
    /// begin.
    nonisolated func withModel(
        for request: Request,
        named name: String?,
        limit: Int,
        _ body: @Sendable (_ request: Request, _ json: JSON, _ model: ServedModel) async throws -> Response
    ) async throws -> Response {
        var request = request
        let json = try await request.jsonBody(limit: limit)
        let collected = request
        return try await withModel(name ?? json.modelName) { model in try await body(collected, json, model) }
    }
}
