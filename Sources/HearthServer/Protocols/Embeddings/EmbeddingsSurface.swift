import Hummingbird
import OpenAIAPI

/// OpenAI's embeddings and moderations, from the sentence-transformers models: present when
/// the server has embedding models (`--embedding-model`, the default).
struct EmbeddingsSurface: APISurface {
    let embeddings: EmbeddingModels
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to routes: SurfaceRoutes) {
        EmbeddingsController<BasicRequestContext>(embeddings: embeddings, models: models, configuration: configuration)
            .addRoutes(to: routes.group("v1"))
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/embeddings",
                tag: "OpenAI",
                summary: "Embeddings from sentence-transformers models (all-mpnet-base-v2, all-MiniLM-L6-v2)",
                body: EmbeddingRequest.self,
                examples: [RawJSON(json: EmbeddingsSchemas.response)]
            ),
            .init(
                method: "post",
                path: "/v1/moderations",
                tag: "OpenAI",
                summary: "A heuristic from embeddings, as text-generation-webui's (not a trained classifier)",
                body: ModerationRequest.self,
                examples: [RawJSON(json: EmbeddingsSchemas.moderationResponse)]
            ),
        ]
    }
}
