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
struct AnthropicMessagesController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("messages", use: create)
        group.post("messages/count_tokens", use: countTokens)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(AnthropicRequest.self, limit: configuration.maxBodyBytes)
        let collected = request
        return try await models.withModel(body.model) { model in
            let session = try await ChatSession.start(body.job, model: model, configuration: configuration, logger: context.logger)
            let writer = AnthropicReplyWriter(id: ResponseID.make("msg_"), model: model.id, stopSequences: session.job.options.stop)
            if session.job.stream { return stream(session.replies, writer, request: collected, logger: context.logger) }
            let (fold, usage) = try await collected.cancellingOnDisconnect {
                var fold = ChatReplyFold()
                let (usage, _) = try await session.replies.forEachDelta { fold.add($0) }
                return (fold, usage)
            }
            let choice = fold.choice(index: 0, reportsLogprobs: false)
            return GenerationResponse.json(
                RawJSON(json: writer.message(choice: choice, stopString: fold.stopString, usage: usage))
            )
        }
    }

    private func stream(_ replies: ChatReplies, _ writer: AnthropicReplyWriter, request: Request, logger: Logger) -> Response {
        GenerationResponse.eventStream(request: request, logger: logger, failure: { AnthropicReplyWriter.event("error", $0.anthropicJSON) }) { send in
            var writer = writer
            for event in writer.start() { try await send(event) }
            let (usage, _) = try await replies.forEachDelta { delta in
                for event in writer.events(for: delta) { try await send(event) }
            }
            for event in writer.finish(usage: usage) { try await send(event) }
        }
    }

    /// `{"input_tokens": n}`: the tokens of the prompt the same body would generate from.
    @Sendable func countTokens(_ request: Request, context: Context) async throws -> Response {
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
