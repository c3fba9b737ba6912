import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// `POST /v1/completions`: raw text completion.
///
/// Choices are ordered by prompt, then by `n`: choice `p * n + k` is the `k`th completion of
/// prompt `p`, as OpenAI orders them.
struct CompletionsController<Context: RequestContext>: Sendable {
    let model: ServedModel
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("completions", use: create)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeGenerationBody(CompletionRequest.self, configuration: configuration, model: model.engine.model)
        let maxTokens = body.maxTokens ?? configuration.defaultCompletionMaxTokens
        let choicesPerPrompt = body.options.n ?? 1
        let generations = body.prompts.map { prompt in
            var generation = GenerationRequest(prompt: prompt, maxTokens: maxTokens, options: body.options, defaults: configuration.defaultSampling)
            generation.logprobs = body.logprobs
            generation.promptLogprobs = body.echo && body.logprobs != nil
            return generation
        }
        if configuration.logsUserText {
            context.logger.debug("Completion request", metadata: ["prompts": "\(body.prompts)"])
        }
        if maxTokens == 0 && body.logprobs == nil {
            return try echoOnly(body, generations)
        }
        // Start every generation before replying, so that a prompt too long fails with a 400.
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for generation in generations {
            streams += try startGeneration(model.engine, generation, choices: choicesPerPrompt, promptParam: "prompt")
        }
        let reply = Reply(body: body, choicesPerPrompt: choicesPerPrompt, id: ResponseID.make("cmpl-"), created: ResponseID.now, model: model.id)
        if body.stream {
            return stream(reply, streams, request: request, logger: context.logger)
        }
        let results = try await request.cancellingOnDisconnect { try await collectAll(streams) }
        if configuration.logsUserText {
            context.logger.debug("Completion result", metadata: ["texts": "\(results.map(\.text))"])
        }
        let choices = results.enumerated().map { index, result in reply.choice(index, result) }
        // Each prompt counts once, whatever `n` is.
        let usage = Usage(
            promptTokens: stride(from: 0, to: results.count, by: choicesPerPrompt).reduce(0) { $0 + results[$1].summary.promptTokens },
            completionTokens: results.reduce(0) { $0 + $1.summary.completionTokens }
        )
        return GenerationResponse.json(
            CompletionResponse(id: reply.id, created: reply.created, model: model.id, choices: choices, usage: usage)
        )
    }

    /// `max_tokens: 0` with `echo` and without logprobs: the prompt comes back, nothing is
    /// evaluated.
    private func echoOnly(_ body: CompletionRequest, _ generations: [GenerationRequest]) throws -> Response {
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
        _ reply: Reply,
        _ streams: [AsyncThrowingStream<GenerationEvent, any Error>],
        request: Request,
        logger: Logger
    ) -> Response {
        let logsUserText = configuration.logsUserText
        let body = reply.body
        return GenerationResponse.eventStream(request: request, logger: logger) { send in
            var throttle = StreamThrottle(tokensPerSecond: body.options.numbers["max_tokens_second"])
            var states = [ChoiceStream](repeating: ChoiceStream(), count: streams.count)
            var usage = Usage(promptTokens: 0, completionTokens: 0)
            // Without prompt logprobs the echo goes out at once; with them, when they arrive.
            if body.echo && body.logprobs == nil {
                for index in streams.indices { try await send(reply.chunk(index, text: reply.prompt(of: index), logprobs: nil)) }
            }
            try await forEachEvent(of: streams) { index, event in
                switch event {
                case .promptLogprobs(let entries):
                    let entries = entries.map(LogprobEntry.init)
                    let logprobs = CompletionLogprobs(entries: entries, startOffset: 0)
                    states[index].offset = CompletionLogprobs.characterCount(of: entries)
                    try await send(reply.chunk(index, text: reply.prompt(of: index), logprobs: logprobs))
                case .logprobs(let entries):
                    states[index].pending += entries.map(LogprobEntry.init)
                case .text(let text):
                    if logsUserText { states[index].text += text }
                    try await throttle.wait()
                    try await send(reply.chunk(index, text: text, logprobs: states[index].takeLogprobs(reporting: body.logprobs != nil)))
                case .finished(let summary):
                    if logsUserText { logger.debug("Completion result", metadata: ["text": "\(states[index].text)"]) }
                    let logprobs = states[index].takeLogprobs(reporting: body.logprobs != nil)
                    try await send(reply.chunk(index, text: body.suffix ?? "", logprobs: logprobs, finishReason: FinishReason(summary.reason)))
                    if index % reply.choicesPerPrompt == 0 { usage.promptTokens += summary.promptTokens }
                    usage.completionTokens += summary.completionTokens
                }
            }
            if body.streamOptions?.includeUsage ?? false {
                try await send(
                    ServerSentEvents.event(CompletionResponse(id: reply.id, created: reply.created, model: reply.model, choices: [], usage: usage))
                )
            }
            try await send(ServerSentEvents.done)
        }
    }
}

/// What every choice and chunk of one completion response shares.
private struct Reply: Sendable {
    let body: CompletionRequest
    let choicesPerPrompt: Int
    let id: String
    let created: Int
    let model: String

    func prompt(of choice: Int) -> String { body.prompts[choice / choicesPerPrompt] }

    /// A full response's choice: echo, completion and suffix, with their logprobs.
    func choice(_ index: Int, _ result: CompletedGeneration) -> CompletionChoice {
        let echo = body.echo ? prompt(of: index) : ""
        var logprobs: CompletionLogprobs?
        if body.logprobs != nil {
            let entries = (body.echo ? result.promptLogprobs : []) + result.logprobs
            logprobs = CompletionLogprobs(entries: entries, startOffset: 0)
        }
        return CompletionChoice(
            index: index,
            text: echo + result.text + (body.suffix ?? ""),
            finishReason: FinishReason(result.summary.reason),
            logprobs: logprobs
        )
    }

    func chunk(_ index: Int, text: String, logprobs: CompletionLogprobs?, finishReason: FinishReason? = nil) -> String {
        ServerSentEvents.event(
            CompletionResponse(
                id: id,
                created: created,
                model: model,
                choices: [CompletionChoice(index: index, text: text, finishReason: finishReason, logprobs: logprobs)],
                usage: nil,
                includesUsage: body.streamOptions?.includeUsage ?? false
            )
        )
    }
}

/// A streamed choice's logprobs waiting for their text, and its character offset so far.
private struct ChoiceStream {
    var pending: [LogprobEntry] = []
    var offset = 0
    /// The reply text, kept only for debug logging.
    var text = ""

    mutating func takeLogprobs(reporting: Bool) -> CompletionLogprobs? {
        guard reporting else { return nil }
        defer {
            offset += CompletionLogprobs.characterCount(of: pending)
            pending = []
        }
        return CompletionLogprobs(entries: pending, startOffset: offset)
    }
}
