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
        let generation = GenerationRequest(
            prompt: prompt,
            maxTokens: body.maxTokens,
            options: body.options,
            defaults: configuration.defaultSampling
        )
        let events = try startGeneration(model.engine, generation, promptParam: "messages")
        let id = ResponseID.make("chatcmpl-")
        let created = ResponseID.now
        if body.stream {
            return stream(
                events,
                includeUsage: body.streamOptions?.includeUsage ?? false,
                throttle: StreamThrottle(tokensPerSecond: body.options.numbers["max_tokens_second"]),
                id: id,
                created: created,
                request: request,
                logger: context.logger
            )
        }
        let result = try await request.cancellingOnDisconnect { try await collect(events) }
        if configuration.logsUserText {
            context.logger.debug("Chat result", metadata: ["text": "\(result.text)"])
        }
        return GenerationResponse.json(
            ChatCompletionResponse(
                id: id,
                created: created,
                model: model.id,
                choices: [ChatChoice(index: 0, content: result.text, finishReason: FinishReason(result.summary.reason))],
                usage: Usage(promptTokens: result.summary.promptTokens, completionTokens: result.summary.completionTokens)
            )
        )
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
        _ events: AsyncThrowingStream<GenerationEvent, any Error>,
        includeUsage: Bool,
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
            func chunk(role: String? = nil, _ content: String?, _ reason: FinishReason?) -> String {
                ServerSentEvents.event(
                    ChatCompletionChunk(
                        id: id,
                        created: created,
                        model: modelID,
                        choices: [ChatChunkChoice(index: 0, role: role, content: content, finishReason: reason)],
                        includesUsage: includeUsage
                    )
                )
            }
            try await send(chunk(role: "assistant", "", nil))
            var reply = ""
            for try await event in events {
                switch event {
                case .text(let text):
                    if logsUserText { reply += text }
                    try await throttle.wait()
                    try await send(chunk(text, nil))
                case .finished(let summary):
                    if logsUserText { logger.debug("Chat result", metadata: ["text": "\(reply)"]) }
                    try await send(chunk(nil, FinishReason(summary.reason)))
                    if includeUsage {
                        let usage = Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
                        try await send(
                            ServerSentEvents.event(
                                ChatCompletionChunk(id: id, created: created, model: modelID, choices: [], usage: usage, includesUsage: true)
                            )
                        )
                    }
                }
            }
            try await send(ServerSentEvents.done)
        }
    }
}
