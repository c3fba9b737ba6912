import Hummingbird
import OpenAIAPI

extension OpenAIController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("v1")
        group.get("models", use: list)
        group.get("models/{id}", use: retrieve)
        group.post("completions") { request, context in try await complete(request, context: context, model: nil, body: CompletionRequest.self) }
        group.post("chat/completions") { request, context in try await chat(request, context: context, model: nil) }
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/chat/completions",
                tag: "OpenAI",
                summary: "Chat completion (OpenAI), with text-generation-webui's extra fields",
                body: ChatCompletionRequest.self,
                examples: APIExamples.chat,
                streamEvents: APIExamples.chatChunks
            ),
            .init(
                method: "post",
                path: "/v1/completions",
                tag: "OpenAI",
                summary: "Text completion (OpenAI), with text-generation-webui's extra fields",
                body: CompletionRequest.self,
                examples: APIExamples.completion,
                streamEvents: APIExamples.completionChunks
            ),
            .init(method: "get", path: "/v1/models", tag: "OpenAI", summary: "The models served", examples: [ModelList(data: [APIExamples.model])]),
            .init(
                method: "get",
                path: "/v1/models/{id}",
                tag: "OpenAI",
                summary: "One model (404 model_not_found for others)",
                examples: [APIExamples.model],
                parameters: [APIDocument.pathParameter("id")]
            ),
        ]
    }
}
