import Logging

/// llama.cpp running one loaded model: the decode loop that runs every generation on it, its
/// tokenizer and its adapters (the module is `LlamaEngine`; this is its engine).
///
/// ```swift
/// let engine = try LlamaRuntime(modelPath: "models/model.gguf")
/// for try await event in try engine.generate(GenerationRequest(prompt: "Hello", maxTokens: 16)) {
///     if case .text(let text) = event { … }
/// }
/// ```
/// Ending the iteration early (or cancelling the consuming task) cancels the generation: the
/// decode loop drops it at its next tick.
public final class LlamaRuntime: Sendable {
    public let model: LlamaModel
    public let configuration: EngineConfiguration
    private let inbox: JobInbox

    /// Loads the model (its layers where `configuration.placement` says) and starts the decode loop.
    public convenience init(
        modelPath: String,
        configuration: EngineConfiguration = .init(),
        logger: Logger = Logger(label: "hearth.engine")
    ) throws(LlamaError) {
        try self.init(
            model: LlamaModel(path: modelPath, placement: configuration.placement, repackWeights: configuration.repackWeights),
            configuration: configuration,
            logger: logger
        )
    }

    /// Starts a decode loop for an already loaded model.
    public init(model: LlamaModel, configuration: EngineConfiguration = .init(), logger: Logger = Logger(label: "hearth.engine"))
        throws(LlamaError)
    {
        self.model = model
        self.configuration = configuration
        inbox = JobInbox(slotCount: configuration.parallel, maxQueue: configuration.maxQueue)
        try DecodeLoop.start(model: model, configuration: configuration, inbox: inbox, logger: logger)
    }

    deinit { inbox.shutdown() }

    /// Tokens of context per sequence.
    public var contextLength: Int { configuration.contextLength }

    /// Generations running or waiting for a sequence slot. A generation whose consumer went away
    /// stops counting within one decode tick.
    public var activeGenerations: Int { inbox.activeJobs }
    /// Signalled whenever no generation is left running or waiting.
    public var becameIdle: ChangeSignal { inbox.becameIdle }

    /// Prompt tokens evaluated so far. Reused prefixes and prompts shared by several choices
    /// are evaluated once; this counter shows it.
    public var evaluatedPromptTokens: Int { inbox.evaluatedPromptTokens }

    /// The load now: busy slots, waiting jobs, KV cells in use.
    public var statistics: EngineStatistics {
        inbox.statistics(slots: configuration.parallel, kvCells: configuration.parallel * configuration.contextLength)
    }

    /// Tokenizes a prompt exactly as ``generate(_:)`` will.
    public func promptTokens(for request: GenerationRequest) throws(LlamaError) -> [Int32] {
        // Tokenizing 10 MB takes half a minute; its length alone shows it cannot fit.
        let fewestTokens = request.prompt.utf8.count / model.longestPiece
        guard fewestTokens < contextLength else { throw .promptTooLong(promptTokens: fewestTokens, contextLength: contextLength) }
        var tokens = try model.tokenize(request.prompt, addSpecial: request.addBOS)
        if tokens.isEmpty {
            // An empty prompt still needs one token to predict from, as OpenAI's API allows it.
            tokens = [model.info.bosToken >= 0 ? model.info.bosToken : model.info.eosToken]
        }
        return tokens
    }

    /// Starts a generation.
    ///
    /// - Returns: a stream of ``GenerationEvent``s ending with `.finished`.
    /// - Throws: ``LlamaError/promptTooLong(promptTokens:contextLength:)`` when the prompt leaves
    ///   no room to generate; ``LlamaError/engineStopped`` after ``shutdown()``.
    public func generate(_ request: GenerationRequest) throws(LlamaError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        try generate(request, choices: 1)[0]
    }

    /// Starts `choices` generations from one prompt (OpenAI's `n`). The prompt is evaluated once;
    /// the other sequences copy its KV cache and sample independently, choice `k` with seed
    /// `seed + k` when the request has a seed.
    ///
    /// - Returns: one stream per choice, in choice order.
    /// - Throws: as ``generate(_:)``, and ``LlamaError/tooManyChoices(requested:limit:)`` when
    ///   `choices` exceeds the number of sequence slots.
    public func generate(_ request: GenerationRequest, choices: Int) throws(LlamaError) -> [AsyncThrowingStream<GenerationEvent, any Error>] {
        guard (1...configuration.parallel).contains(choices) else {
            throw .tooManyChoices(requested: choices, limit: configuration.parallel)
        }
        if let grammar = request.sampling.grammar { try model.validateGrammar(grammar.text) }
        let tokens = try promptTokens(for: request)
        guard tokens.count < contextLength else {
            throw .promptTooLong(promptTokens: tokens.count, contextLength: contextLength)
        }
        let prediction =
            try request.prediction.map { text throws(LlamaError) in try model.tokenize(text, addSpecial: false, parseSpecial: false) } ?? []
        let pairs = (0..<choices).map { _ in AsyncThrowingStream<GenerationEvent, any Error>.makeStream() }
        let followers = (1..<choices).map { choice in
            var copy = request
            copy.sampling.seed = request.sampling.seed.map { $0 &+ UInt32(choice) }
            return GenerationJob(request: copy, promptTokens: tokens, predictionTokens: prediction, continuation: pairs[choice].continuation)
        }
        let leader = GenerationJob(
            request: request,
            promptTokens: tokens,
            predictionTokens: prediction,
            continuation: pairs[0].continuation,
            followers: followers
        )
        for (job, pair) in zip(leader.group, pairs) {
            pair.continuation.onTermination = { [inbox] termination in
                if case .cancelled = termination { inbox.cancel(job) }
            }
        }
        try inbox.submit(leader)
        return pairs.map(\.stream)
    }

    /// The next-token distribution after `prompt`: the raw softmax, or with `applySamplers` the
    /// distribution left by the stages of `sampling` (temperature, top-k, top-p, …). Runs through
    /// the same scheduler as generation.
    /// - Returns: the `top` most likely tokens, most likely first.
    public func nextTokenDistribution(
        prompt: String,
        sampling: SamplingParameters,
        adapters: AdapterSet = AdapterSet(),
        applySamplers: Bool,
        top: Int
    ) async throws -> [TokenProbability] {
        var request = GenerationRequest(prompt: prompt, maxTokens: 1, sampling: sampling)
        request.adapters = adapters
        request.probe = DistributionProbe(applySamplers: applySamplers, top: top)
        for try await event in try generate(request) {
            if case .finished(let summary) = event { return summary.distribution ?? [] }
        }
        throw CancellationError()
    }

    /// Ends every running and waiting generation with reason `.stop` (text-generation-webui's
    /// `stop-generation`): each stream gets its held-back text and a summary, then ends.
    public func stopAll() { inbox.stopAll() }

    /// Begins a graceful shutdown: running generations end now with reason `.stop` (their
    /// streams get the text held back and a summary), waiting ones fail with
    /// ``LlamaError/engineStopped``, and so do new ones. Returns when no generation is left, or
    /// after `timeout`.
    public func drain(timeout: Duration = .seconds(2)) async {
        let deadline = ContinuousClock.now + timeout
        inbox.drain()
        while inbox.activeJobs > 0, ContinuousClock.now < deadline {
            let ticket = inbox.becameIdle.ticket()
            guard inbox.activeJobs > 0 else { break }
            await inbox.becameIdle.wait(ticket, until: deadline)
        }
    }

    /// Stops the decode loop; running generations end as cancelled.
    public func shutdown() { inbox.shutdown() }
}
