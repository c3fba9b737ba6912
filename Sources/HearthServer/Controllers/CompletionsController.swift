import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// `POST /v1/completions`: raw text completion.
struct CompletionsController<Context: RequestContext>: Sendable {
    let model: ServedModel
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("completions", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeGenerationBody(CompletionRequest.self, configuration: configuration, model: model.engine.model)
        let engine = model.engine
        let maxTokens = body.maxTokens ?? configuration.defaultCompletionMaxTokens
        let generations = body.prompts.map { prompt in
            GenerationRequest(prompt: prompt, maxTokens: maxTokens, options: body.options, defaults: configuration.defaultSampling)
        }
        if configuration.logsUserText {
            context.logger.debug("Completion request", metadata: ["prompts": "\(body.prompts)"])
        }
        if maxTokens == 0 {
            return try echoOnly(body, generations)
        }
        // Start every generation before replying, so that a prompt too long fails with a 400.
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for generation in generations { streams.append(try startGeneration(engine, generation, promptParam: "prompt")) }

        let id = ResponseID.make("cmpl-")
        let created = ResponseID.now
        if body.stream {
            return stream(body, streams[0], id: id, created: created, request: request, logger: context.logger)
        }
        let results = try await request.cancellingOnDisconnect {
            try await withThrowingTaskGroup(of: (Int, CompletedGeneration).self) { group in
                for (index, stream) in streams.enumerated() { group.addTask { (index, try await collect(stream)) } }
                var results = [CompletedGeneration?](repeating: nil, count: streams.count)
                for try await (index, result) in group { results[index] = result }
                return results.compactMap { $0 }
            }
        }
        if configuration.logsUserText {
            context.logger.debug("Completion result", metadata: ["texts": "\(results.map(\.text))"])
        }
        let choices = results.enumerated().map { index, result in
            CompletionChoice(
                index: index,
                text: (body.echo ? body.prompts[index] : "") + result.text + (body.suffix ?? ""),
                finishReason: FinishReason(result.summary.reason)
            )
        }
        let usage = Usage(
            promptTokens: results.reduce(0) { $0 + $1.summary.promptTokens },
            completionTokens: results.reduce(0) { $0 + $1.summary.completionTokens }
        )
        return GenerationResponse.json(
            CompletionResponse(id: id, created: created, model: model.id, choices: choices, usage: usage)
        )
    }

    /// `max_tokens: 0` with `echo`: the prompt comes back, nothing is generated.
    private func echoOnly(_ body: CompletionRequest, _ generations: [GenerationRequest]) throws -> Response {
        var promptTokens = 0
        for generation in generations {
            do {
                promptTokens += try model.engine.promptTokens(for: generation).count
            } catch {
                throw OpenAIError(error, param: "prompt")
            }
        }
        let choices = body.prompts.enumerated().map { CompletionChoice(index: $0, text: $1 + (body.suffix ?? ""), finishReason: .length) }
        return jsonResponse(
            CompletionResponse(
                id: ResponseID.make("cmpl-"),
                created: ResponseID.now,
                model: model.id,
                choices: choices,
                usage: Usage(promptTokens: promptTokens, completionTokens: 0)
            )
        )
    }

    private func stream(
        _ body: CompletionRequest,
        _ events: AsyncThrowingStream<GenerationEvent, any Error>,
        id: String,
        created: Int,
        request: Request,
        logger: Logger
    ) -> Response {
        let includeUsage = body.streamOptions?.includeUsage ?? false
        let modelID = model.id
        let logsUserText = configuration.logsUserText
        return GenerationResponse.eventStream(request: request, logger: logger) { send in
            var throttle = StreamThrottle(tokensPerSecond: body.options.numbers["max_tokens_second"])
            func chunk(_ text: String, _ reason: FinishReason?) -> String {
                ServerSentEvents.event(
                    CompletionResponse(
                        id: id,
                        created: created,
                        model: modelID,
                        choices: [CompletionChoice(index: 0, text: text, finishReason: reason)],
                        usage: nil,
                        includesUsage: includeUsage
                    )
                )
            }
            if body.echo { try await send(chunk(body.prompts[0], nil)) }
            var completion = ""
            for try await event in events {
                switch event {
                case .text(let text):
                    if logsUserText { completion += text }
                    try await throttle.wait()
                    try await send(chunk(text, nil))
                case .finished(let summary):
                    if logsUserText { logger.debug("Completion result", metadata: ["text": "\(completion)"]) }
                    try await send(chunk(body.suffix ?? "", FinishReason(summary.reason)))
                    if includeUsage {
                        let usage = Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
                        try await send(
                            ServerSentEvents.event(CompletionResponse(id: id, created: created, model: modelID, choices: [], usage: usage))
                        )
                    }
                }
            }
            try await send(ServerSentEvents.done)
        }
    }
}
