import Hummingbird
import Logging
import OpenAIAPI

/// text-generation-webui's model endpoints: `GET /v1/internal/model/info` (API key), and behind
/// the admin key `GET …/model/list`, `POST …/model/load`, `POST …/model/unload`.
struct ModelAdminController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addInfoRoute(to group: RouterGroup<Context>) {
        group.get("info") { _, _ in
            let loaded = await models.loadedIDs
            let current = await models.defaultID
            guard loaded.contains(current) else { return jsonResponse(ModelInfoResponse(modelName: "None")) }
            return jsonResponse(ModelInfoResponse(modelName: current, loraNames: configuration.loras.active(for: current).map(\.name)))
        }
    }

    func addAdminRoutes(to group: RouterGroup<Context>) {
        group.get("list") { _, _ in
            let (loaded, available) = await models.installed()
            return jsonResponse(ModelNamesResponse(names: (loaded + available).map(\.id).sorted()))
        }
        group.post("load", use: load)
        group.post("unload", use: unload)
    }

    /// Unloads every loaded model (text-generation-webui has one; unloading frees its memory),
    /// or with `{"model_name": …}` only that one; each once its running generations end.
    @Sendable func unload(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        let body =
            buffer.readableBytes == 0
            ? ModelUnloadRequest() : try RequestDecoder().decode(ModelUnloadRequest.self, from: try RequestDecoder().parse(buffer.readableBytesView))
        if let name = body.modelName {
            guard let id = await models.loadedID(named: name) else { throw OpenAIError.modelNotFound(name).with(param: "model_name") }
            context.logger.info("Unloading a model on request", metadata: ["model": "\(id)"])
            await models.unload(id)
        } else {
            context.logger.info("Unloading every model on request")
            for id in await models.loadedIDs { await models.unload(id) }
        }
        return jsonResponse(JSONString("OK"))
    }

    /// Loads `model_name` with `args`, making it the default model; running generations of the
    /// model it replaces finish first.
    @Sendable func load(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(ModelLoadRequest.self, limit: configuration.maxBodyBytes)
        var (overrides, ignored) = try LoadOverrides.reading(body.arguments)
        // An empty template means none, as text-generation-webui reads it.
        overrides.instructionTemplate = body.instructionTemplate.flatMap { $0.isEmpty ? nil : $0 }
        overrides.instructionTemplateSource = body.instructionTemplateSource.flatMap { $0.isEmpty ? nil : $0 }
        if !ignored.isEmpty {
            context.logger.info("Loader fields other loaders use, ignored", metadata: ["fields": "\(ignored.joined(separator: ", "))"])
        }
        context.logger.info("Loading a model on request; running generations finish first", metadata: ["model": "\(body.modelName)"])
        _ = try await models.load(body.modelName, overrides: overrides)
        return jsonResponse(JSONString("OK"))
    }
}
