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
extension OpenAIController {
    /// A chat completion from the model `name` names, else the body's `model`.
    func chat(_ request: Request, context: BasicRequestContext, model name: String?) async throws -> Response {
        try await models.withModel(for: request, named: name, limit: configuration.maxBodyBytes) { request, json, model in
            try await chat(request, json: json, model: model, context: context)
        }
    }

    private func chat(_ request: Request, json: JSON, model: ServedModel, context: BasicRequestContext) async throws -> Response {
        let (body, job) = try RequestBody.chat(json, configuration: configuration, model: model)
        let session = try await ChatSession.start(job, model: model, configuration: configuration, logger: context.logger)
        let encoder = ChatCompletionEncoder(
            frame: ResponseFrame(prefix: "chatcmpl-", model: model.id, includesUsage: body.streamOptions?.includeUsage ?? false),
            choices: session.replies.streams.count,
            reportsLogprobs: session.replies.reportsLogprobs
        )
        return try await session.reply(through: encoder, request: request, logger: context.logger)
    }
}
