import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting
import StructuredOutput

/// `POST /v1/chat/completions`: messages rendered into a prompt by the model's
/// ``ChatPromptBuilder`` (its own template, or the mode, template and character the request
/// names); a leading `<think>` block of the reply is returned as `reasoning_content`.
struct ChatCompletionsController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("chat/completions", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        try await create(request, context: context, model: nil)
    }

    /// A chat completion from the model `name` names, else the body's `model`.
    func create(_ request: Request, context: Context, model name: String?) async throws -> Response {
        var request = request
        let json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        let collected = request
        return try await models.withModel(name ?? json.modelName) { model in
            try await create(collected, json: json, model: model, context: context)
        }
    }

    private func create(_ request: Request, json: JSON, model: ServedModel, context: Context) async throws -> Response {
        let (body, job) = try RequestBody.chat(json, configuration: configuration, model: model)
        let session = try await ChatSession.start(job, model: model, configuration: configuration, logger: context.logger)
        let encoder = ChatCompletionEncoder(
            id: ResponseID.make("chatcmpl-"),
            created: ResponseID.now,
            model: model.id,
            includesUsage: body.streamOptions?.includeUsage ?? false,
            choices: session.replies.streams.count,
            reportsLogprobs: session.replies.reportsLogprobs
        )
        return try await session.reply(through: encoder, request: request, logger: context.logger)
    }
}
