import Hummingbird
import OpenAIAPI

/// text-generation-webui's internal API under `/v1/internal`: tokens, logits, the chat prompt,
/// stopping, health; model and LoRA loading behind the admin key alone (its rule).
struct TextGenerationWebUISurface: APISurface {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to routes: SurfaceRoutes) {
        InternalController(models: models, configuration: configuration).addRoutes(to: routes.group("v1/internal"))
        let modelAdmin = ModelAdminController<BasicRequestContext>(models: models, configuration: configuration)
        modelAdmin.addInfoRoute(to: routes.group("v1/internal/model"))
        modelAdmin.addAdminRoutes(to: routes.group("v1/internal/model", key: .admin))
        LoraAdminController(models: models, configuration: configuration).addRoutes(to: routes.group("v1/internal/lora", key: .admin))
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/internal/encode",
                tag: "text-generation-webui",
                summary: "Tokens of a text",
                body: TextRequest.self,
                examples: [TokenList(tokens: [9707, 1879])]
            ),
            .init(
                method: "post",
                path: "/v1/internal/decode",
                tag: "text-generation-webui",
                summary: "Text of tokens",
                body: TokensRequest.self,
                examples: [DecodedText(text: "Hello world")]
            ),
            .init(
                method: "post",
                path: "/v1/internal/token-count",
                tag: "text-generation-webui",
                summary: "Number of tokens of a text",
                body: TextRequest.self,
                examples: [TokenCount(length: 2)]
            ),
            .init(
                method: "post",
                path: "/v1/internal/logits",
                tag: "text-generation-webui",
                summary: "Next-token probabilities after a prompt",
                body: LogitsRequest.self,
                examples: [TokenProbabilities(entries: [(" world", 0.75), (" there", 0.125)])]
            ),
            .init(
                method: "post",
                path: "/v1/internal/chat-prompt",
                tag: "text-generation-webui",
                summary: "The prompt a chat completion request would generate from",
                body: ChatCompletionRequest.self,
                examples: [ChatPromptText(prompt: "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")]
            ),
            .init(
                method: "post",
                path: "/v1/internal/stop-generation",
                tag: "text-generation-webui",
                summary: "End every running generation",
                examples: [JSONString("OK")]
            ),
            .init(
                method: "get",
                path: "/v1/internal/model/info",
                tag: "text-generation-webui",
                summary: "The default model",
                examples: [ModelInfoResponse(modelName: APIExamples.model.id, loraNames: ["style"])]
            ),
            .init(
                method: "get",
                path: "/v1/internal/model/list",
                tag: "text-generation-webui",
                summary: "Installed models (admin key)",
                examples: [ModelNamesResponse(names: [APIExamples.model.id])]
            ),
            .init(
                method: "post",
                path: "/v1/internal/model/load",
                tag: "text-generation-webui",
                summary: "Load a model and make it the default (admin key)",
                body: ModelLoadRequest.self,
                examples: [JSONString("OK")]
            ),
            .init(
                method: "post",
                path: "/v1/internal/model/unload",
                tag: "text-generation-webui",
                summary: "Unload every loaded model, or the one `model_name` names (admin key)",
                body: ModelUnloadRequest.self,
                examples: [JSONString("OK")]
            ),
            .init(
                method: "get",
                path: "/v1/internal/lora/list",
                tag: "text-generation-webui",
                summary: "Installed LoRA adapters; a request's `lora` entries name them or give their index here (admin key)",
                examples: [LoraNamesResponse(names: ["style"])]
            ),
            .init(
                method: "post",
                path: "/v1/internal/lora/load",
                tag: "text-generation-webui",
                summary: "Apply LoRA adapters (`NAME` or `NAME:SCALE`) to the default model (admin key)",
                body: LoraLoadRequest.self,
                examples: [JSONString("OK")]
            ),
            .init(
                method: "post",
                path: "/v1/internal/lora/unload",
                tag: "text-generation-webui",
                summary: "Remove the default model's LoRA adapters (admin key)",
                examples: [JSONString("OK")]
            ),
            .init(
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
            .init(
                method: "get",
                path: "/v1/internal/health",
                tag: "text-generation-webui",
                summary: "Ready to serve",
                examples: [HealthStatus()]
            ),
        ]
    }
}
