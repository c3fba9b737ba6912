import Hummingbird
import OpenAIAPI

/// The original document's legacy routes under `/v1/engines` (``LegacyEnginesController``).
extension LegacyEnginesController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("v1")
        group.get("engines", use: list)
        group.get("engines/{model}", use: retrieve)
        let openAI = OpenAIController(models: models, configuration: configuration)
        group.post("engines/{model}/completions") { request, context in
            try await openAI.complete(request, context: context, model: try Self.model(context), body: CompletionRequest.self)
        }
        group.post("engines/{model}/generate") { request, context in
            try await openAI.complete(
                request,
                context: context,
                model: try Self.model(context),
                body: LegacyGenerateRequest.self,
                choicesKey: "data"
            )
        }
        group.post("engines/{model}/chat/completions") { request, context in
            try await openAI.chat(request, context: context, model: try Self.model(context))
        }
        if let embeddings = configuration.embeddings {
            let controller = EmbeddingsController<BasicRequestContext>(embeddings: embeddings, models: models, configuration: configuration)
            group.post("engines/{model}/embeddings") { request, context in
                try await controller.create(request, context: context, model: try Self.model(context))
            }
        }
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        let model = APIDocument.pathParameter("model")
        let engine = EngineObject(id: APIExamples.model.id, created: APIExamples.model.created, ready: true)
        func inGenerateWords(_ examples: [any JSONRepresentable]) -> [any JSONRepresentable] {
            examples.compactMap { $0 as? CompletionResponse }.map { response in
                var response = response
                response.choicesKey = "data"
                return response
            }
        }
        var operations: [APIDocument.Operation] = [
            .init(
                method: "get",
                path: "/v1/engines",
                tag: "Legacy",
                summary: "The models as engines (openai<0.28's Engine.list)",
                examples: [EngineList(data: [engine])]
            ),
            .init(
                method: "get",
                path: "/v1/engines/{model}",
                tag: "Legacy",
                summary: "One model as an engine, loaded if it was not (openai<0.28's Engine.retrieve)",
                examples: [engine],
                parameters: [model]
            ),
            .init(
                method: "post",
                path: "/v1/engines/{model}/completions",
                tag: "Legacy",
                summary: "A text completion from the model in the path",
                body: CompletionRequest.self,
                examples: APIExamples.completion,
                streamEvents: APIExamples.completionChunks,
                parameters: [model]
            ),
            .init(
                method: "post",
                path: "/v1/engines/{model}/generate",
                tag: "Legacy",
                summary: "A text completion in the old engines API's words: length for max_tokens, data for choices",
                body: LegacyGenerateRequest.self,
                examples: inGenerateWords(APIExamples.completion),
                streamEvents: inGenerateWords(APIExamples.completionChunks),
                parameters: [model]
            ),
            .init(
                method: "post",
                path: "/v1/engines/{model}/chat/completions",
                tag: "Legacy",
                summary: "A chat completion from the model in the path",
                body: ChatCompletionRequest.self,
                examples: APIExamples.chat,
                streamEvents: APIExamples.chatChunks,
                parameters: [model]
            ),
        ]
        if configuration.embeddings != nil {
            operations.append(
                .init(
                    method: "post",
                    path: "/v1/engines/{model}/embeddings",
                    tag: "Legacy",
                    summary: "Embeddings from the model in the path",
                    body: EmbeddingRequest.self,
                    examples: [RawJSON(json: EmbeddingsSchemas.response)],
                    parameters: [model]
                )
            )
        }
        return operations
    }
}
