import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting

/// Anthropic's Messages API: `POST /v1/messages` (streamed or not) and
/// `POST /v1/messages/count_tokens`. A request is read as the OpenAI chat body it means
/// (``AnthropicMessages``) and runs through ``ChatSession`` like any chat; only the reply's
/// shape differs (``AnthropicReplyWriter``). Errors use Anthropic's envelope
/// (``OpenAIErrorMiddleware``); `x-api-key` is accepted as the key.
struct AnthropicMessagesController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("messages", use: create)
        group.post("messages/count_tokens", use: countTokens)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let chat = try AnthropicMessages.chatBody(try await request.jsonBody(limit: configuration.maxBodyBytes))
        let collected = request
        return try await models.withModel(chat.modelName) { model in
            let session = try await ChatSession.start(chat, model: model, configuration: configuration, logger: context.logger)
            let writer = AnthropicReplyWriter(id: ResponseID.make("msg_"), model: model.id, stopSequences: session.body.options.stop)
            if session.body.stream { return stream(session.replies, writer, request: collected, logger: context.logger) }
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
        var json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        // Counting needs no `max_tokens`; the chat reading of the body does.
        if case .object(var members) = json, json["max_tokens"] == nil {
            members.append(("max_tokens", 1))
            json = .object(members)
        }
        let chat = try AnthropicMessages.chatBody(json)
        return try await models.withModel(chat.modelName) { model in
            let prompt = try await RequestBody.chat(chat, configuration: configuration, model: model).prompt
            let tokens = try model.engine.promptTokens(for: GenerationRequest(prompt: prompt.text, maxTokens: 1))
            return jsonResponse(RawJSON(json: ["input_tokens": .int(tokens.count)]))
        }
    }
}

/// A JSON value as a response body.
struct RawJSON: JSONRepresentable {
    let json: JSON
}
