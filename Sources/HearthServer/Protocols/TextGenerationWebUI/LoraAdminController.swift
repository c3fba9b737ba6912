import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// text-generation-webui's LoRA endpoints, behind the admin key: `GET /v1/internal/lora/list`,
/// `POST …/lora/load` and `POST …/lora/unload`. They act on the default model (the one
/// `model/info` reports): the adapters loaded here are those its requests run with when they
/// send no `lora` field.
struct LoraAdminController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("list") { _, _ in
            jsonResponse(LoraNamesResponse(names: configuration.loras.catalog().entries.map(\.id)))
        }
        group.post("load", use: load)
        group.post("unload", use: unload)
    }

    /// Loads the named adapters (`NAME` or `NAME:SCALE`) onto the default model, replacing
    /// those it had; on any failure nothing changes.
    @Sendable func load(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(LoraLoadRequest.self, limit: configuration.maxBodyBytes)
        let library = configuration.loras
        let catalog = library.catalog()
        let wanted = body.loraNames.compactMap { LoraLibrary.parse($0, catalog: catalog) }
        try await models.withModel(nil) { model in
            // Loading them is the check: a file that is not an adapter for this model fails here.
            _ = try model.adapterSet(wanted, catalog: catalog, param: "lora_names")
            library.setActive(wanted, for: model.id)
            context.logger.info(
                "LoRA adapters applied",
                metadata: ["model": "\(model.id)", "lora": "\(wanted.map { "\($0.name):\($0.scale)" }.joined(separator: ", "))"]
            )
        }
        return jsonResponse(JSONString("OK"))
    }

    /// Removes every adapter from the default model; running generations finish with theirs.
    @Sendable func unload(_ request: Request, context: Context) async throws -> Response {
        try await models.withModel(nil) { model in
            configuration.loras.setActive([], for: model.id)
            model.adapters.removeAll()
            context.logger.info("LoRA adapters removed", metadata: ["model": "\(model.id)"])
        }
        return jsonResponse(JSONString("OK"))
    }
}
