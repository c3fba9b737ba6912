import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON

/// `POST /v1/completions`: raw text completion.
///
/// Choices are ordered by prompt, then by `n`: choice `p * n + k` is the `k`th completion of
/// prompt `p`, as OpenAI orders them.
extension OpenAIController {
    /// A completion from the model `name` names (else the body's `model`), its body read as
    /// `Body` (the old engines API's `generate` has words of its own), its choices listed as
    /// `choicesKey`.
    func complete<Body: CompletionBody>(
        _ request: Request,
        context: BasicRequestContext,
        model name: String?,
        body: Body.Type,
        choicesKey: String = "choices"
    ) async throws -> Response {
        try await models.withModel(for: request, named: name, limit: configuration.maxBodyBytes) { request, json, model in
            let body = try RequestBody.generation(
                Body.self,
                from: json,
                configuration: configuration,
                vocabularySize: model.engine.modelInfo.vocabularySize
            )
            return try await complete(request, body: body.completion, choicesKey: choicesKey, model: model, context: context)
        }
    }

    private func complete(_ request: Request, body: CompletionRequest, choicesKey: String, model: ServedModel, context: BasicRequestContext)
        async throws
        -> Response
    {
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
            return try echoOnly(body, generations, choicesKey: choicesKey, model: model)
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
            streams: GenerationStreams(streams, configuration: configuration),
            prompts: body.prompts,
            choicesPerPrompt: choicesPerPrompt,
            echo: body.echo,
            suffix: body.suffix,
            reportsLogprobs: body.logprobs != nil
        )
        let encoder = CompletionEncoder(
            frame: ResponseFrame(prefix: "cmpl-", model: model.id, includesUsage: body.streamOptions?.includeUsage ?? false),
            choicesKey: choicesKey,
            reportsLogprobs: replies.reportsLogprobs
        )
        return try await reply(
            replies,
            through: encoder,
            streaming: body.stream,
            tokensPerSecond: body.options.tokensPerSecond,
            request: request,
            logger: context.logger
        )
    }

    /// `max_tokens: 0` with `echo` and without logprobs: the prompt comes back, nothing is
    /// evaluated.
    private func echoOnly(_ body: CompletionRequest, _ generations: [GenerationRequest], choicesKey: String, model: ServedModel) throws -> Response {
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
        let encoder = CompletionEncoder(
            frame: ResponseFrame(prefix: "cmpl-", model: model.id, includesUsage: true),
            choicesKey: choicesKey,
            reportsLogprobs: false
        )
        return jsonResponse(encoder.response(choices: choices, usage: Usage(promptTokens: promptTokens, completionTokens: 0)))
    }
}

/// A request body that is a completion request, perhaps in other words (the old engines API's
/// `generate` says `length`).
protocol CompletionBody: GenerationBody {
    var completion: CompletionRequest { get }
}

extension CompletionRequest: CompletionBody {
    var completion: CompletionRequest { self }
}
