import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON

/// `POST /v1/completions`: raw text completion.
///
/// Choices are ordered by prompt, then by `n`: choice `p * n + k` is the `k`th completion of
/// prompt `p`, as OpenAI orders them.
struct CompletionsController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("completions", use: create)
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
        let body = try RequestBody.generation(
            CompletionRequest.self,
            from: json,
            configuration: configuration,
            vocabularySize: model.engine.modelInfo.vocabularySize
        )
        let maxTokens = body.maxTokens ?? configuration.defaultCompletionMaxTokens
        let choicesPerPrompt = body.options.n ?? 1
        let grammar = try OutputPlan(completion: body.options.constraint).grammar
        let adapters = try model.adapterSet(for: body.options.lora, library: configuration.loras)
        let generations = body.prompts.map { prompt in
            var generation = GenerationRequest(prompt: prompt, maxTokens: maxTokens, options: body.options, defaults: configuration.defaultSampling)
            generation.sampling.grammar = grammar
            generation.adapters = adapters
            generation.logprobs = body.logprobs
            generation.promptLogprobs = body.echo && body.logprobs != nil
            return generation
        }
        if configuration.logsUserText {
            context.logger.debug("Completion request", metadata: ["prompts": "\(body.prompts)"])
        }
        if maxTokens == 0 && body.logprobs == nil {
            return try echoOnly(body, generations, model: model)
        }
        // Start every generation before replying, so that a prompt too long fails with a 400.
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for generation in generations {
            streams += try startGeneration(
                model.engine,
                generation,
                choices: choicesPerPrompt,
                promptParam: "prompt",
                grammarParam: body.options.constraint?.field ?? "grammar_string"
            )
        }
        let replies = CompletionReplies(
            streams: streams,
            prompts: body.prompts,
            choicesPerPrompt: choicesPerPrompt,
            echo: body.echo,
            suffix: body.suffix,
            reportsLogprobs: body.logprobs != nil,
            keepsText: configuration.logsUserText,
            metrics: configuration.metrics
        )
        let frame = CompletionFrame(
            id: ResponseID.make("cmpl-"),
            created: ResponseID.now,
            model: model.id,
            includesUsage: body.streamOptions?.includeUsage ?? false
        )
        if body.stream {
            return stream(
                replies,
                frame,
                throttle: StreamThrottle(tokensPerSecond: body.options.tokensPerSecond),
                request: request,
                logger: context.logger
            )
        }
        let (folds, usage, rawTexts) = try await request.cancellingOnDisconnect {
            var folds = [CompletionReplyFold](repeating: CompletionReplyFold(), count: streams.count)
            let (usage, rawTexts) = try await replies.forEachDelta { folds[$0.index].add($0) }
            return (folds, usage, rawTexts)
        }
        if configuration.logsUserText {
            context.logger.debug("Completion result", metadata: ["texts": "\(rawTexts)"])
        }
        let choices = folds.enumerated().map { $1.choice(index: $0, reportsLogprobs: replies.reportsLogprobs) }
        return GenerationResponse.json(CompletionResponse(id: frame.id, created: frame.created, model: frame.model, choices: choices, usage: usage))
    }

    /// `max_tokens: 0` with `echo` and without logprobs: the prompt comes back, nothing is
    /// evaluated.
    private func echoOnly(_ body: CompletionRequest, _ generations: [GenerationRequest], model: ServedModel) throws -> Response {
        var promptTokens = 0
        for generation in generations {
            do {
                promptTokens += try model.engine.promptTokens(for: generation).count
            } catch {
                throw OpenAIError(error, param: "prompt")
            }
        }
        let n = body.options.n ?? 1
        let choices = body.prompts.enumerated().flatMap { promptIndex, prompt in
            (0..<n).map { CompletionChoice(index: promptIndex * n + $0, text: prompt + (body.suffix ?? ""), finishReason: .length) }
        }
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
        _ replies: CompletionReplies,
        _ frame: CompletionFrame,
        throttle: StreamThrottle,
        request: Request,
        logger: Logger
    ) -> Response {
        let logsUserText = configuration.logsUserText
        return GenerationResponse.eventStream(request: request, logger: logger) { send in
            var throttle = throttle
            let (usage, rawTexts) = try await replies.forEachDelta { delta in
                if delta.finishReason == nil { try await throttle.wait() }
                try await send(
                    frame.chunk(CompletionChoice(index: delta.index, text: delta.text, finishReason: delta.finishReason, logprobs: delta.logprobs))
                )
            }
            if logsUserText { logger.debug("Completion result", metadata: ["texts": "\(rawTexts)"]) }
            if frame.includesUsage {
                try await send(
                    ServerSentEvents.event(CompletionResponse(id: frame.id, created: frame.created, model: frame.model, choices: [], usage: usage))
                )
            }
            try await send(ServerSentEvents.done)
        }
    }
}

/// What every chunk of one completion response shares.
private struct CompletionFrame: Sendable {
    let id: String
    let created: Int
    let model: String
    let includesUsage: Bool

    func chunk(_ choice: CompletionChoice) -> String {
        ServerSentEvents.event(
            CompletionResponse(id: id, created: created, model: model, choices: [choice], usage: nil, includesUsage: includesUsage)
        )
    }
}
