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
        var request = request
        let json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        let collected = request
        return try await models.withModel(json.modelName) { model in
            try await create(collected, json: json, model: model, context: context)
        }
    }

    private func create(_ request: Request, json: JSON, model: ServedModel, context: Context) async throws -> Response {
        let (body, prompt) = try RequestBody.chat(json, configuration: configuration, model: model)
        if configuration.logsUserText {
            context.logger.debug("Chat prompt", metadata: ["prompt": "\(prompt.text)"])
        }
        var generation = GenerationRequest(
            prompt: prompt.text,
            maxTokens: body.maxTokens,
            options: body.options,
            defaults: configuration.defaultSampling
        )
        // The template's own turn separators stop a reply that runs into a next turn.
        for stop in prompt.stopStrings where !generation.stop.contains(stop) { generation.stop.append(stop) }
        if body.logprobs == true { generation.logprobs = body.topLogprobs ?? 0 }
        generation.adapters = try model.adapterSet(for: body.options.lora, library: configuration.loras)
        let plan = try OutputPlan(
            chat: body,
            format: model.toolFormat,
            reasoningClose: prompt.reasoningCloseTag,
            reasoningTags: model.reasoningTags
        )
        generation.sampling.grammar = plan.grammar
        if plan.rendersSpecialTokens { generation.rendersSpecialTokens = true }
        for opener in plan.bannedOpeners {
            if let tokens = try? model.engine.tokenize(opener, addSpecial: false), tokens.count == 1 {
                generation.sampling.logitBias[tokens[0]] = -.infinity
            }
        }
        let streams = try startGeneration(
            model.engine,
            generation,
            choices: body.options.n ?? 1,
            promptParam: "messages",
            grammarParam: body.options.constraint?.field ?? "grammar_string"
        )
        var replies = ChatReplies(
            streams: streams,
            namePrefixes: prompt.replyNamePrefixes,
            insideReasoning: prompt.opensReasoning,
            reportsLogprobs: body.logprobs == true,
            keepsText: configuration.logsUserText,
            metrics: configuration.metrics
        )
        if !plan.tools.isEmpty {
            replies.toolParser = ToolCallParser(format: plan.toolFormat, tools: plan.tools, parallel: plan.parallelToolCalls)
        }
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
            var folds = [ChatReplyFold](repeating: ChatReplyFold(), count: streams.count)
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
