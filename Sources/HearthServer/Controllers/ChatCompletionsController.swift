import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import Prompting

/// `POST /v1/chat/completions`: messages rendered into a prompt by the model's
/// ``ChatPromptBuilder`` (its own template, or the mode, template and character the request
/// names); a leading `<think>` block of the reply is returned as `reasoning_content`.
struct ChatCompletionsController<Context: RequestContext>: Sendable {
    let model: ServedModel
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("chat/completions", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let (body, prompt) = try await request.decodeChatRequest(configuration: configuration, model: model)
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
        let streams = try startGeneration(model.engine, generation, choices: body.options.n ?? 1, promptParam: "messages")
        let id = ResponseID.make("chatcmpl-")
        let created = ResponseID.now
        if body.stream {
            return stream(
                streams,
                opensReasoning: prompt.opensReasoning,
                replyNamePrefixes: prompt.replyNamePrefixes,
                includeUsage: body.streamOptions?.includeUsage ?? false,
                reportsLogprobs: body.logprobs == true,
                throttle: StreamThrottle(tokensPerSecond: body.options.numbers["max_tokens_second"]),
                id: id,
                created: created,
                request: request,
                logger: context.logger
            )
        }
        let results = try await request.cancellingOnDisconnect { try await collectAll(streams) }
        if configuration.logsUserText {
            context.logger.debug("Chat result", metadata: ["texts": "\(results.map(\.text))"])
        }
        let choices = results.enumerated().map { index, result in
            var content = result.text
            var reasoning: String?
            if let split = ReasoningSplitter.split(content, insideReasoning: prompt.opensReasoning) {
                (reasoning, content) = split
            }
            return ChatChoice(
                index: index,
                content: ReplyPrefixFilter.filtered(content, prefixes: prompt.replyNamePrefixes),
                finishReason: FinishReason(result.summary.reason),
                logprobs: body.logprobs == true ? ChatLogprobs(entries: result.logprobs) : nil,
                reasoningContent: reasoning
            )
        }
        // The prompt counts once, whatever `n` is.
        let usage = Usage(promptTokens: results[0].summary.promptTokens, completionTokens: results.reduce(0) { $0 + $1.summary.completionTokens })
        return GenerationResponse.json(ChatCompletionResponse(id: id, created: created, model: model.id, choices: choices, usage: usage))
    }

    private func stream(
        _ streams: [AsyncThrowingStream<GenerationEvent, any Error>],
        opensReasoning: Bool,
        replyNamePrefixes: [String],
        includeUsage: Bool,
        reportsLogprobs: Bool,
        throttle: StreamThrottle,
        id: String,
        created: Int,
        request: Request,
        logger: Logger
    ) -> Response {
        let modelID = model.id
        let logsUserText = configuration.logsUserText
        return GenerationResponse.eventStream(request: request, logger: logger) { send in
            var throttle = throttle
            func chunk(
                _ index: Int,
                role: String? = nil,
                _ content: String?,
                _ reason: FinishReason?,
                _ logprobs: [LogprobEntry]? = nil,
                reasoning: String? = nil
            ) -> String {
                ServerSentEvents.event(
                    ChatCompletionChunk(
                        id: id,
                        created: created,
                        model: modelID,
                        choices: [
                            ChatChunkChoice(
                                index: index,
                                role: role,
                                content: content,
                                finishReason: reason,
                                logprobs: reportsLogprobs ? logprobs.map(ChatLogprobs.init) : nil,
                                reasoningContent: reasoning
                            )
                        ],
                        includesUsage: includeUsage
                    )
                )
            }
            for index in streams.indices { try await send(chunk(index, role: "assistant", "", nil)) }
            var pending = [[LogprobEntry]](repeating: [], count: streams.count)
            var replies = [String](repeating: "", count: streams.count)
            var splitters = [ReasoningSplitter](repeating: ReasoningSplitter(insideReasoning: opensReasoning), count: streams.count)
            var prefixFilters = [ReplyPrefixFilter](repeating: ReplyPrefixFilter(prefixes: replyNamePrefixes), count: streams.count)
            /// Sends what the splitter has made certain; logprobs wait for a chunk with text.
            func emit(_ index: Int, _ part: (reasoning: String, content: String)) async throws {
                guard !part.reasoning.isEmpty || !part.content.isEmpty else { return }
                try await throttle.wait()
                try await send(
                    chunk(
                        index,
                        part.content.isEmpty ? nil : part.content,
                        nil,
                        pending[index],
                        reasoning: part.reasoning.isEmpty ? nil : part.reasoning
                    )
                )
                pending[index] = []
            }
            var usage = Usage(promptTokens: 0, completionTokens: 0)
            try await forEachEvent(of: streams) { index, event in
                switch event {
                case .logprobs(let entries):
                    pending[index] += entries.map(LogprobEntry.init)
                case .text(let text):
                    if logsUserText { replies[index] += text }
                    try await emit(index, splitters[index].feed(prefixFilters[index].feed(text)))
                case .promptLogprobs:
                    break
                case .finished(let summary):
                    if logsUserText { logger.debug("Chat result", metadata: ["text": "\(replies[index])"]) }
                    let rest = splitters[index].feed(prefixFilters[index].finish())
                    let last = splitters[index].finish()
                    try await emit(index, (rest.reasoning + last.reasoning, rest.content + last.content))
                    try await send(chunk(index, nil, FinishReason(summary.reason), pending[index].isEmpty ? nil : pending[index]))
                    if index == 0 { usage.promptTokens = summary.promptTokens }
                    usage.completionTokens += summary.completionTokens
                }
            }
            if includeUsage {
                try await send(
                    ServerSentEvents.event(
                        ChatCompletionChunk(id: id, created: created, model: modelID, choices: [], usage: usage, includesUsage: true)
                    )
                )
            }
            try await send(ServerSentEvents.done)
        }
    }
}
