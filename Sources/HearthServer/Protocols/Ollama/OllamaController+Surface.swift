import Hummingbird
import OpenAIAPI
import OrderedJSON

/// Ollama's API under `/api/`: chat, generate, the model lists, show, embeddings; the
/// downloading routes refused. Errors in Ollama's envelope, unknown `/api/` routes too.
extension OllamaController: APISurface {
    var envelope: ErrorEnvelope { .ollama }
    var ownedPrefix: String? { "/api/" }

    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("api")
        group.post("chat") { request, context in try await generate(request, context: context, kind: .chat) }
        group.post("generate") { request, context in try await generate(request, context: context, kind: .generate) }
        group.get("tags", use: tags)
        group.get("ps", use: running)
        group.post("show", use: show)
        group.get("version") { _, _ in jsonResponse(RawJSON(json: ["version": .string(hearthServerVersion)])) }
        for path in ["pull", "push", "create", "copy"] {
            group.post(RouterPath(path)) { _, _ -> Response in throw Self.offline }
        }
        group.delete("delete") { _, _ -> Response in throw Self.offline }
        group.post("embed", use: embed)
        group.post("embeddings", use: embed)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        func ollama(
            _ method: String,
            _ path: String,
            _ summary: String,
            body: JSON? = nil,
            decoding type: (any Decodable.Type)? = nil,
            example: JSON = [:],
            more: [JSON] = []
        ) -> APIDocument.Operation {
            APIDocument.Operation(
                method: method,
                path: "/api/" + path,
                tag: "Ollama",
                summary: summary,
                body: type,
                bodySchema: body,
                examples: ([example] + more).map { RawJSON(json: $0) },
                // A generating route streams one JSON object per line.
                moreContent: ["chat", "generate"].contains(path)
                    ? [
                        (
                            "application/x-ndjson",
                            ["schema": ["type": "string", "description": "With \"stream\" (the default): one JSON object per line."]]
                        )
                    ]
                    : []
            )
        }
        return [
            ollama(
                "post",
                "chat",
                "Ollama's chat, run as a chat completion (NDJSON stream by default)",
                decoding: OllamaChatRequest.self,
                example: OllamaSchemas.chatReply,
                more: [OllamaSchemas.chatReply.setting("message", to: ["role": "assistant", "content": "Hi!"])]
            ),
            ollama(
                "post",
                "generate",
                "Ollama's generate: the prompt with the model's template",
                decoding: OllamaGenerateRequest.self,
                example: OllamaSchemas.generateReply
            ),
            ollama("get", "tags", "Installed models", example: OllamaSchemas.tags),
            ollama("get", "ps", "Loaded models", example: OllamaSchemas.running),
            ollama(
                "post",
                "show",
                "A model's template, facts and capabilities (loads it)",
                decoding: OllamaShowRequest.self,
                example: OllamaSchemas.shown
            ),
            ollama("get", "version", "Hearth's version", example: ["version": "0.13.0"]),
            ollama("post", "pull", "Refused (403): Hearth never downloads models"),
            ollama("post", "push", "Refused (403): Hearth never uploads models"),
            ollama("post", "create", "Refused (403)"),
            ollama("post", "copy", "Refused (403)"),
            ollama("delete", "delete", "Refused (403)"),
            ollama(
                "post",
                "embed",
                "Embeddings of input (a string or strings) from the sentence-transformers models",
                decoding: OllamaEmbedBody.self,
                example: [
                    "model": "all-minilm", "embeddings": [[0.0123, -0.0456]], "total_duration": 1_000_000, "load_duration": 0, "prompt_eval_count": 4,
                ]
            ),
            ollama(
                "post",
                "embeddings",
                "The embedding of prompt (Ollama's older route)",
                decoding: OllamaEmbeddingsBody.self,
                example: ["embedding": [0.0123, -0.0456]]
            ),
        ]
    }
}

extension ErrorEnvelope {
    /// Ollama's `{"error": "…"}`.
    static let ollama = ErrorEnvelope(description: "Ollama's error envelope", schema: OllamaSchemas.error) { $0.ollamaJSON.serialized }
}
