import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// `POST /v1/chat/completions`: messages rendered with the model's chat template.
struct ChatCompletionsController<Context: RequestContext>: Sendable {
    let model: ServedModel
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("chat/completions", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeGenerationBody(ChatCompletionRequest.self, configuration: configuration, model: model.engine.model)
        // Room to answer in: what the client asked for, within half the context.
        let room = min(body.maxTokens ?? 512, model.engine.contextLength / 2)
        let prompt = try renderPrompt(body.messages, room: room)
        if configuration.logsUserText {
            context.logger.debug("Chat prompt", metadata: ["prompt": "\(prompt)"])
        }
        var generation = GenerationRequest(
            prompt: prompt,
            maxTokens: body.maxTokens,
            options: body.options,
            defaults: configuration.defaultSampling
        )
        if body.logprobs == true { generation.logprobs = body.topLogprobs ?? 0 }
        let streams = try startGeneration(model.engine, generation, choices: body.options.n ?? 1, promptParam: "messages")
        let id = ResponseID.make("chatcmpl-")
        let created = ResponseID.now
        if body.stream {
            return stream(
                streams,
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
            ChatChoice(
                index: index,
                content: result.text,
                finishReason: FinishReason(result.summary.reason),
                logprobs: body.logprobs == true ? ChatLogprobs(entries: result.logprobs) : nil
            )
        }
        // The prompt counts once, whatever `n` is.
        let usage = Usage(promptTokens: results[0].summary.promptTokens, completionTokens: results.reduce(0) { $0 + $1.summary.completionTokens })
        return GenerationResponse.json(ChatCompletionResponse(id: id, created: created, model: model.id, choices: choices, usage: usage))
    }

    /// Renders the chat with llama.cpp's built-in template that matches the model's own.
    /// `developer` is OpenAI's newer name for `system`.
    ///
    /// When the rendered chat leaves less than `room` tokens of context, the oldest turns are
    /// dropped (system messages stay; a tool result goes with the turn that called it) until it
    /// fits or only the last message is left; a prompt that still does not fit is refused by
    /// the engine with `context_length_exceeded`.
    private func renderPrompt(_ messages: [ChatMessage], room: Int) throws(OpenAIError) -> String {
        var turns = messages.map { (role: $0.role == "developer" ? "system" : $0.role, content: $0.content ?? "") }
        let engine = model.engine
        while true {
            let prompt: String
            do {
                prompt = try engine.model.applyChatTemplate(turns, addAssistantPrompt: true)
                // A token spans at least one byte (a BOS none): a short prompt fits without
                // tokenizing it here as well as in the engine.
                guard prompt.utf8.count + 1 + room > engine.contextLength,
                    try engine.promptTokens(for: GenerationRequest(prompt: prompt, maxTokens: nil)).count + room > engine.contextLength
                else { return prompt }
            } catch {
                throw OpenAIError(error, param: "messages")
            }
            guard
                let oldest = turns.indices.first(where: { turns[$0].role != "system" }), oldest < turns.count - 1
            else { return prompt }
            var end = oldest + 1
            while end < turns.count - 1, turns[end].role == "tool" { end += 1 }
            turns.removeSubrange(oldest..<end)
        }
    }

    private func stream(
        _ streams: [AsyncThrowingStream<GenerationEvent, any Error>],
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
            func chunk(_ index: Int, role: String? = nil, _ content: String?, _ reason: FinishReason?, _ logprobs: [LogprobEntry]? = nil) -> String {
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
                                logprobs: reportsLogprobs ? logprobs.map(ChatLogprobs.init) : nil
                            )
                        ],
                        includesUsage: includeUsage
                    )
                )
            }
            for index in streams.indices { try await send(chunk(index, role: "assistant", "", nil)) }
            var pending = [[LogprobEntry]](repeating: [], count: streams.count)
            var replies = [String](repeating: "", count: streams.count)
            var usage = Usage(promptTokens: 0, completionTokens: 0)
            try await forEachEvent(of: streams) { index, event in
                switch event {
                case .logprobs(let entries):
                    pending[index] += entries.map(LogprobEntry.init)
                case .text(let text):
                    if logsUserText { replies[index] += text }
                    try await throttle.wait()
                    try await send(chunk(index, text, nil, pending[index]))
                    pending[index] = []
                case .promptLogprobs:
                    break
                case .finished(let summary):
                    if logsUserText { logger.debug("Chat result", metadata: ["text": "\(replies[index])"]) }
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
