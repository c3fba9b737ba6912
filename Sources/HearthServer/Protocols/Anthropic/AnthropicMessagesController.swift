import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting

/// Anthropic's Messages API: `POST /v1/messages` (streamed or not) and
/// `POST /v1/messages/count_tokens`. A request is read in its own words as the job it means
/// (``AnthropicRequest``) and runs through ``ChatSession`` like any chat; only the reply's shape
/// differs (``AnthropicReplyWriter``).
struct AnthropicMessagesController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    @Sendable func create(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(AnthropicRequest.self, limit: configuration.maxBodyBytes)
        let collected = request
        return try await models.withModel(body.model) { model in
            let session = try await ChatSession.start(body.job, model: model, configuration: configuration, logger: context.logger)
            let writer = AnthropicReplyWriter(id: ResponseID.make("msg_"), model: model.id, stopSequences: session.job.options.stop)
            return try await session.reply(through: writer, request: collected, logger: context.logger)
        }
    }

    /// `{"input_tokens": n}`: the tokens of the prompt the same body would generate from.
    @Sendable func countTokens(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(AnthropicTokenCountRequest.self, limit: configuration.maxBodyBytes).request
        return try await models.withModel(body.model) { model in
            let prompt = try await body.job.prompt(model: model)
            let tokens = try model.engine.promptTokens(for: GenerationRequest(prompt: prompt.text, maxTokens: 1))
            return jsonResponse(RawJSON(json: ["input_tokens": .int(tokens.count)]))
        }
    }
}

/// A JSON value as a response body.
struct RawJSON: JSONRepresentable {
    let json: JSON
}
