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
        let replies = try await ChatSession.start(job, model: model, configuration: configuration, logger: context.logger).replies
        let reply = ChatReplyFrame(
            id: ResponseID.make("chatcmpl-"),
            created: ResponseID.now,
            model: model.id,
            includesUsage: body.streamOptions?.includeUsage ?? false
        )
        if body.stream {
            return stream(
                replies,
                reply,
                throttle: StreamThrottle(tokensPerSecond: body.options.tokensPerSecond),
                request: request,
                logger: context.logger
            )
        }
        let (folds, usage, rawTexts) = try await request.cancellingOnDisconnect {
            var folds = [ChatReplyFold](repeating: ChatReplyFold(), count: replies.streams.count)
            let (usage, rawTexts) = try await replies.forEachDelta { folds[$0.index].add($0) }
            return (folds, usage, rawTexts)
        }
        if configuration.logsUserText {
            context.logger.debug("Chat result", metadata: ["texts": "\(rawTexts)"])
        }
        let choices = folds.enumerated().map { $1.choice(index: $0, reportsLogprobs: replies.reportsLogprobs) }
        return GenerationResponse.json(
            ChatCompletionResponse(id: reply.id, created: reply.created, model: reply.model, choices: choices, usage: usage)
        )
    }

    private func stream(_ replies: ChatReplies, _ reply: ChatReplyFrame, throttle: StreamThrottle, request: Request, logger: Logger) -> Response {
        let logsUserText = configuration.logsUserText
        return GenerationResponse.eventStream(request: request, logger: logger) { send in
            var throttle = throttle
            for index in replies.streams.indices {
                try await send(reply.chunk(ChatChunkChoice(index: index, role: "assistant", content: "", finishReason: nil)))
            }
            let (usage, rawTexts) = try await replies.forEachDelta { delta in
                if delta.finishReason == nil { try await throttle.wait() }
                try await send(
                    reply.chunk(
                        ChatChunkChoice(
                            index: delta.index,
                            content: delta.content,
                            finishReason: delta.finishReason,
                            logprobs: delta.logprobs.map(ChatLogprobs.init),
                            reasoningContent: delta.reasoning,
                            toolCalls: delta.toolCall.map { [$0] } ?? []
                        )
                    )
                )
            }
            if logsUserText { logger.debug("Chat result", metadata: ["texts": "\(rawTexts)"]) }
            if reply.includesUsage {
                try await send(
                    ServerSentEvents.event(
                        ChatCompletionChunk(id: reply.id, created: reply.created, model: reply.model, choices: [], usage: usage, includesUsage: true)
                    )
                )
            }
            try await send(ServerSentEvents.done)
        }
    }
}

/// What every chunk of one chat response shares.
private struct ChatReplyFrame: Sendable {
    let id: String
    let created: Int
    let model: String
    let includesUsage: Bool

    func chunk(_ choice: ChatChunkChoice) -> String {
        ServerSentEvents.event(ChatCompletionChunk(id: id, created: created, model: model, choices: [choice], includesUsage: includesUsage))
    }
}
