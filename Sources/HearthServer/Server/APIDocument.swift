import OpenAIAPI
import OrderedJSON

/// The OpenAPI 3.1 document served at `GET /openapi.json`.
///
/// Request bodies are the schemas ``SchemaRecorder`` reads off the very types the routes decode
/// them with; responses are inferred (``SchemaInference``) from values the response types render.
/// The list of routes is the one place that pairs a path with its types; a test checks it
/// against the router's own routes.
enum APIDocument {
    /// One documented operation.
    struct Operation {
        var method: String
        var path: String
        var tag: String
        var summary: String
        /// The request body's schema (from the decoding type), if the route reads one.
        var body: (any Decodable.Type)?
        /// A body schema given as is, for a body read as JSON and translated (Anthropic's).
        var bodySchema: JSON?
        /// Errors come in Anthropic's envelope, and streamed events are Anthropic's.
        var anthropic = false
        /// Errors come in Ollama's envelope; a generating route streams NDJSON.
        var ollama = false
        /// Examples the 200 response renders.
        var examples: [any JSONRepresentable] = []
        /// The media type of the 200 response when it is not JSON.
        var mediaType: String?
        /// The schema of each event of a `stream: true` response, if the route streams.
        var streamEvents: [any JSONRepresentable] = []
        /// Needs the API key when one is set.
        var keyed = true
        var parameters: [JSON] = []
    }

    /// Every route of ``buildRouter(configuration:model:)``, documented.
    static func operations(metrics: Bool, embeddings: Bool = false) -> [Operation] {
        let id: JSON = ["name": "id", "in": "path", "required": true, "schema": ["type": "string"]]
        var operations = [
            Operation(
                method: "post",
                path: "/v1/chat/completions",
                tag: "OpenAI",
                summary: "Chat completion (OpenAI), with text-generation-webui's extra fields",
                body: ChatCompletionRequest.self,
                examples: Examples.chat,
                streamEvents: Examples.chatChunks
            ),
            Operation(
                method: "post",
                path: "/v1/completions",
                tag: "OpenAI",
                summary: "Text completion (OpenAI), with text-generation-webui's extra fields",
                body: CompletionRequest.self,
                examples: Examples.completion,
                streamEvents: Examples.completionChunks
            ),
            Operation(method: "get", path: "/v1/models", tag: "OpenAI", summary: "The models served", examples: [ModelList(data: [Examples.model])]),
            Operation(
                method: "get",
                path: "/v1/models/{id}",
                tag: "OpenAI",
                summary: "One model (404 model_not_found for others)",
                examples: [Examples.model],
                parameters: [id]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/encode",
                tag: "text-generation-webui",
                summary: "Tokens of a text",
                body: TextRequest.self,
                examples: [TokenList(tokens: [9707, 1879])]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/decode",
                tag: "text-generation-webui",
                summary: "Text of tokens",
                body: TokensRequest.self,
                examples: [DecodedText(text: "Hello world")]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/token-count",
                tag: "text-generation-webui",
                summary: "Number of tokens of a text",
                body: TextRequest.self,
                examples: [TokenCount(length: 2)]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/logits",
                tag: "text-generation-webui",
                summary: "Next-token probabilities after a prompt",
                body: LogitsRequest.self,
                examples: [TokenProbabilities(entries: [(" world", 0.75), (" there", 0.125)])]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/chat-prompt",
                tag: "text-generation-webui",
                summary: "The prompt a chat completion request would generate from",
                body: ChatCompletionRequest.self,
                examples: [ChatPromptText(prompt: "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/stop-generation",
                tag: "text-generation-webui",
                summary: "End every running generation",
                examples: [JSONString("OK")]
            ),
            Operation(
                method: "get",
                path: "/v1/internal/model/info",
                tag: "text-generation-webui",
                summary: "The default model",
                examples: [ModelInfoResponse(modelName: Examples.model.id, loraNames: ["style"])]
            ),
            Operation(
                method: "get",
                path: "/v1/internal/model/list",
                tag: "text-generation-webui",
                summary: "Installed models (admin key)",
                examples: [ModelNamesResponse(names: [Examples.model.id])]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/model/load",
                tag: "text-generation-webui",
                summary: "Load a model and make it the default (admin key)",
                body: ModelLoadRequest.self,
                examples: [JSONString("OK")]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/model/unload",
                tag: "text-generation-webui",
                summary: "Unload every loaded model, or the one `model_name` names (admin key)",
                body: ModelUnloadRequest.self,
                examples: [JSONString("OK")]
            ),
            Operation(
                method: "get",
                path: "/v1/internal/lora/list",
                tag: "text-generation-webui",
                summary: "Installed LoRA adapters; a request's `lora` entries name them or give their index here (admin key)",
                examples: [LoraNamesResponse(names: ["style"])]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/lora/load",
                tag: "text-generation-webui",
                summary: "Apply LoRA adapters (`NAME` or `NAME:SCALE`) to the default model (admin key)",
                body: LoraLoadRequest.self,
                examples: [JSONString("OK")]
            ),
            Operation(
                method: "post",
                path: "/v1/internal/lora/unload",
                tag: "text-generation-webui",
                summary: "Remove the default model's LoRA adapters (admin key)",
                examples: [JSONString("OK")]
            ),
            Operation(
                method: "get",
                path: "/v1/internal/chat-options",
                tag: "Hearth",
                summary: "Names a chat request's `mode`, `character`, `instruction_template` and `preset` may take",
                examples: [
                    ChatOptionsResponse(
                        modes: ["instruct", "chat", "chat-instruct"],
                        characters: ["Assistant"],
                        instructionTemplates: ["ChatML"],
                        presets: ["Precise"]
                    )
                ]
            ),
            Operation(
                method: "get",
                path: "/v1/internal/health",
                tag: "text-generation-webui",
                summary: "Ready to serve",
                examples: [HealthStatus()]
            ),
            Operation(
                method: "get",
                path: "/health",
                tag: "Operations",
                summary: "Ready to serve (no key needed)",
                examples: [HealthStatus()],
                keyed: false
            ),
            Operation(
                method: "get",
                path: "/openapi.json",
                tag: "Operations",
                summary: "This document",
                mediaType: "application/json",
                keyed: false
            ),
            Operation(method: "get", path: "/docs", tag: "Operations", summary: "This document as a page", mediaType: "text/html", keyed: false),
            Operation(
                method: "post",
                path: "/v1/messages",
                tag: "Anthropic",
                summary: "Anthropic's Messages API, run as a chat completion (key also as x-api-key)",
                bodySchema: AnthropicSchemas.messages,
                anthropic: true,
                examples: [RawJSON(json: Examples.anthropicMessage)]
            ),
            Operation(
                method: "post",
                path: "/v1/messages/count_tokens",
                tag: "Anthropic",
                summary: "Tokens of the prompt a Messages request would generate from",
                bodySchema: AnthropicSchemas.countTokens,
                anthropic: true,
                examples: [RawJSON(json: ["input_tokens": 34])]
            ),
        ]
        operations += responsesOperations(id: id)
        operations += ollamaOperations
        if embeddings {
            let model: JSON = ["name": "model", "in": "path", "required": true, "schema": ["type": "string"]]
            operations += [
                Operation(
                    method: "post",
                    path: "/v1/embeddings",
                    tag: "OpenAI",
                    summary: "Embeddings from sentence-transformers models (all-mpnet-base-v2, all-MiniLM-L6-v2)",
                    bodySchema: EmbeddingsSchemas.request,
                    examples: [RawJSON(json: EmbeddingsSchemas.response)]
                ),
                Operation(
                    method: "post",
                    path: "/v1/engines/{model}/embeddings",
                    tag: "OpenAI",
                    summary: "The same, the model named in the path (legacy)",
                    bodySchema: EmbeddingsSchemas.request,
                    examples: [RawJSON(json: EmbeddingsSchemas.response)],
                    parameters: [model]
                ),
                Operation(
                    method: "post",
                    path: "/v1/moderations",
                    tag: "OpenAI",
                    summary: "A heuristic from embeddings, as text-generation-webui's (not a trained classifier)",
                    bodySchema: EmbeddingsSchemas.moderationRequest,
                    examples: [RawJSON(json: EmbeddingsSchemas.moderationResponse)]
                ),
            ]
        }
        if metrics {
            operations.append(
                Operation(method: "get", path: "/metrics", tag: "Operations", summary: "Prometheus metrics (--metrics)", mediaType: "text/plain")
            )
        }
        return operations
    }

    /// OpenAI's Responses API (``ResponsesController``).
    private static func responsesOperations(id: JSON) -> [Operation] {
        [
            Operation(
                method: "post",
                path: "/v1/responses",
                tag: "OpenAI",
                summary: "Create a response (stored for previous_response_id unless store is false)",
                bodySchema: ResponsesSchemas.request,
                examples: [RawJSON(json: ResponsesSchemas.response)]
            ),
            Operation(
                method: "get",
                path: "/v1/responses/{id}",
                tag: "OpenAI",
                summary: "A stored response",
                examples: [RawJSON(json: ResponsesSchemas.response)],
                parameters: [id]
            ),
            Operation(
                method: "delete",
                path: "/v1/responses/{id}",
                tag: "OpenAI",
                summary: "Forget a stored response",
                examples: [RawJSON(json: ["id": "resp_1", "object": "response.deleted", "deleted": true])],
                parameters: [id]
            ),
            Operation(
                method: "post",
                path: "/v1/responses/{id}/cancel",
                tag: "OpenAI",
                summary: "Stop a background response still generating (it becomes cancelled); one that ended is returned as it is",
                examples: [RawJSON(json: ResponsesSchemas.response)],
                parameters: [id]
            ),
            Operation(
                method: "get",
                path: "/v1/responses/{id}/input_items",
                tag: "OpenAI",
                summary: "The input items of a stored response",
                examples: [RawJSON(json: ResponsesSchemas.inputItems)],
                parameters: [id]
            ),
        ]
    }

    /// Ollama's routes (``OllamaController``).
    private static var ollamaOperations: [Operation] {
        func ollama(
            _ method: String,
            _ path: String,
            _ summary: String,
            body: JSON? = nil,
            example: JSON = [:],
            more: [JSON] = []
        ) -> Operation {
            Operation(
                method: method,
                path: "/api/" + path,
                tag: "Ollama",
                summary: summary,
                bodySchema: body,
                ollama: true,
                examples: ([example] + more).map { RawJSON(json: $0) }
            )
        }
        return [
            ollama(
                "post",
                "chat",
                "Ollama's chat, run as a chat completion (NDJSON stream by default)",
                body: OllamaSchemas.chat,
                example: OllamaSchemas.chatReply,
                more: [OllamaSchemas.chatReply.setting("message", to: ["role": "assistant", "content": "Hi!"])]
            ),
            ollama(
                "post",
                "generate",
                "Ollama's generate: the prompt with the model's template",
                body: OllamaSchemas.generate,
                example: OllamaSchemas.generateReply
            ),
            ollama("get", "tags", "Installed models", example: OllamaSchemas.tags),
            ollama("get", "ps", "Loaded models", example: OllamaSchemas.running),
            ollama("post", "show", "A model's template, facts and capabilities (loads it)", body: OllamaSchemas.show, example: OllamaSchemas.shown),
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
                body: EmbeddingsSchemas.ollamaEmbed,
                example: [
                    "model": "all-minilm", "embeddings": [[0.0123, -0.0456]], "total_duration": 1_000_000, "load_duration": 0, "prompt_eval_count": 4,
                ]
            ),
            ollama(
                "post",
                "embeddings",
                "The embedding of prompt (Ollama's older route)",
                body: EmbeddingsSchemas.ollamaEmbeddings,
                example: ["embedding": [0.0123, -0.0456]]
            ),
        ]
    }

    /// The document for a server with this configuration.
    static func make(configuration: ServerConfiguration) throws -> JSON {
        let keyed = !configuration.apiKeys.isEmpty
        var paths: [(String, JSON)] = []
        for operation in operations(metrics: configuration.metrics != nil, embeddings: configuration.embeddings != nil) {
            let entry = try document(operation, keyed: keyed)
            if let index = paths.firstIndex(where: { $0.0 == operation.path }), case .object(let methods) = paths[index].1 {
                paths[index].1 = .object(methods + [(operation.method, entry)])
            } else {
                paths.append((operation.path, .object([(operation.method, entry)])))
            }
        }
        var components: [(String, JSON)] = [("schemas", ["Error": SchemaInference.schema(of: Examples.errors.map(\.json))])]
        if keyed { components.append(("securitySchemes", ["bearer": ["type": "http", "scheme": "bearer"]])) }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Hearth",
                "version": .string(hearthServerVersion),
                "description": .string(
                    "OpenAI's API, and text-generation-webui's, served offline from a local GGUF model. Errors are OpenAI's envelope "
                        + "{\"error\": {\"message\", \"type\", \"param\", \"code\"}}."
                ),
            ],
            "paths": .object(paths),
            "components": .object(components),
        ]
    }

    private static func document(_ operation: Operation, keyed: Bool) throws -> JSON {
        var entry: [(String, JSON)] = [
            ("tags", [.string(operation.tag)]), ("summary", .string(operation.summary)),
            ("operationId", .string(operation.method + operation.path.replacingAll("/", "_").replacingAll("{", "").replacingAll("}", ""))),
        ]
        if !operation.parameters.isEmpty { entry.append(("parameters", .array(operation.parameters))) }
        if let schema = try operation.bodySchema ?? operation.body.map({ try SchemaRecorder.schema(of: $0) }) {
            entry.append(("requestBody", ["required": true, "content": ["application/json": ["schema": schema]]]))
        }
        var content: [(String, JSON)] = []
        if let mediaType = operation.mediaType {
            content.append((mediaType, mediaType == "application/json" ? ["schema": ["type": "object"]] : ["schema": ["type": "string"]]))
        } else {
            content.append(("application/json", ["schema": SchemaInference.schema(of: operation.examples.map(\.json))]))
        }
        if operation.ollama, ["/api/chat", "/api/generate"].contains(operation.path) {
            content.append(
                ("application/x-ndjson", ["schema": ["type": "string", "description": "With \"stream\" (the default): one JSON object per line."]])
            )
        }
        if operation.method == "post", operation.path == "/v1/responses" {
            content.append(("text/event-stream", ["schema": ResponsesSchemas.event]))
        }
        if operation.anthropic, operation.path == "/v1/messages" {
            content.append(("text/event-stream", ["schema": AnthropicSchemas.event]))
        }
        if !operation.streamEvents.isEmpty {
            let events = SchemaInference.schema(of: operation.streamEvents.map(\.json))
            // An event's `data` is a chunk (or, after a failure mid-stream, an error), then
            // `[DONE]`: schemathesis and other SSE-aware tools check each event against this.
            let data: JSON = [
                "anyOf": [
                    ["const": "[DONE]"],
                    [
                        "type": "string", "contentMediaType": "application/json",
                        "contentSchema": ["anyOf": [events, ["$ref": "#/components/schemas/Error"]]],
                    ],
                ]
            ]
            content.append(
                (
                    "text/event-stream",
                    [
                        "schema": [
                            "type": "object", "properties": ["data": data], "required": ["data"],
                            "description": "With \"stream\": true: server-sent events, each `data: <chunk>`, then `data: [DONE]`.",
                        ],
                        "x-event-schema": events,
                    ]
                )
            )
        }
        let error: JSON =
            operation.ollama
            ? ["description": "Ollama's error envelope", "content": ["application/json": ["schema": OllamaSchemas.error]]]
            : operation.anthropic
                ? ["description": "Anthropic's error envelope", "content": ["application/json": ["schema": AnthropicSchemas.error]]]
                : ["description": "OpenAI's error envelope", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        entry.append(("responses", ["200": ["description": "Success", "content": .object(content)], "default": error]))
        if operation.keyed && keyed { entry.append(("security", [["bearer": []]])) }
        return .object(entry)
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Response values the documented schemas are read from: one rich, one sparse, so that members
/// which may be null or absent show as such.
private enum Examples {
    static let anthropicMessage: JSON = [
        "id": "msg_1", "type": "message", "role": "assistant", "model": .string(model.id),
        "content": [
            ["type": "thinking", "thinking": "The user greets.", "signature": ""], ["type": "text", "text": "Hi!"],
            ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]],
        ],
        "stop_reason": "tool_use", "stop_sequence": .null,
        "usage": ["input_tokens": 12, "output_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0],
    ]

    static let usage = Usage(promptTokens: 12, completionTokens: 5)
    static let token = LogprobEntry(token: "Hi", bytes: [72, 105], logprob: -0.25, top: [.init(token: "Hello", bytes: [72, 101], logprob: -1.5)])
    static let model = ModelObject(id: "qwen2.5-coder-0.5b-instruct-q4_k_m", created: 1_700_000_000)

    static let chat: [any JSONRepresentable] = [
        ChatCompletionResponse(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                ChatChoice(
                    index: 0,
                    content: "Hi!",
                    finishReason: .stop,
                    logprobs: ChatLogprobs(entries: [token]),
                    reasoningContent: "The user greets.",
                    toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: "{\"city\":\"Paris\"}")]
                )
            ],
            usage: usage
        ),
        ChatCompletionResponse(
            id: "chatcmpl-2",
            created: 1_700_000_000,
            model: model.id,
            choices: [ChatChoice(index: 0, content: nil, finishReason: .toolCalls)],
            usage: usage
        ),
    ]

    static let chatChunks: [any JSONRepresentable] = [
        ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                ChatChunkChoice(
                    index: 0,
                    role: "assistant",
                    content: "Hi",
                    finishReason: nil,
                    logprobs: ChatLogprobs(entries: [token]),
                    reasoningContent: "x",
                    toolCalls: [ToolCallDelta(index: 0, opening: ("call_1", "get_weather"), arguments: "{")]
                )
            ],
            usage: nil,
            includesUsage: true
        ),
        ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [ChatChunkChoice(index: 0, content: nil, finishReason: .stop)],
            includesUsage: false
        ),
        ChatCompletionChunk(id: "chatcmpl-1", created: 1_700_000_000, model: model.id, choices: [], usage: usage, includesUsage: true),
    ]

    static let completion: [any JSONRepresentable] = [
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                CompletionChoice(index: 0, text: " world", finishReason: .length, logprobs: CompletionLogprobs(entries: [token], startOffset: 0))
            ],
            usage: usage
        ),
        CompletionResponse(
            id: "cmpl-2",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: "!", finishReason: .stop)],
            usage: usage
        ),
    ]

    static let completionChunks: [any JSONRepresentable] = [
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: " wor", finishReason: nil)],
            usage: nil,
            includesUsage: true
        ),
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: "ld", finishReason: .stop, logprobs: CompletionLogprobs(entries: [token], startOffset: 4))],
            usage: nil,
            includesUsage: false
        ),
        CompletionResponse(id: "cmpl-1", created: 1_700_000_000, model: model.id, choices: [], usage: usage, includesUsage: true),
    ]

    static let errors: [OpenAIError] = [
        .invalidValue("temperature", "expected a value between 0 and 2, but got 3 instead."),
        OpenAIError(status: 404, message: "The model 'x' does not exist", type: "invalid_request_error", param: "model", code: "model_not_found"),
        .malformedJSON,
    ]
}
