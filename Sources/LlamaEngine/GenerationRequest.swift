/// What to generate: the prompt, when to stop, and how to sample.
public struct GenerationRequest: Sendable {
    /// The prompt text. Special-token text (`<|im_start|>`) becomes its token.
    public var prompt: String
    /// Let the model add BOS if it wants one (never twice).
    public var addBOS: Bool
    /// Tokens to generate at most (0: evaluate the prompt only); `nil` means until the context
    /// is full.
    public var maxTokens: Int?
    /// Output is cut before the first of these strings.
    public var stop: [String]
    public var sampling: SamplingParameters
    /// Write special tokens (`<|im_end|>`, …) into the output text instead of skipping them.
    public var rendersSpecialTokens = false
    /// Report each generated token's log probability with this many alternatives (0: the token
    /// alone); `nil`: no log probabilities.
    public var logprobs: Int?
    /// Report the prompt's tokens and their log probabilities (`.promptLogprobs`) before the
    /// first generated token. The whole prompt is evaluated, without reusing cached KV.
    public var promptLogprobs = false
    /// The LoRA adapters to run with (empty: the base model). They must belong to the engine's
    /// model.
    public var adapters = AdapterSet()
    /// Let the engine draft tokens and verify them in one batch (speculative decoding), when it
    /// is on (``EngineConfiguration/speculation``). The output is the same either way.
    public var speculative = true
    /// The text the output is expected to be mostly (OpenAI's Predicted Outputs): drafts are
    /// taken from it first.
    public var prediction: String?
    /// Report the next token's distribution instead of generating (see
    /// ``LlamaRuntime/nextTokenDistribution(prompt:sampling:adapters:applySamplers:top:)``).
    var probe: DistributionProbe?

    public init(prompt: String, addBOS: Bool = true, maxTokens: Int?, stop: [String] = [], sampling: SamplingParameters = .init()) {
        self.prompt = prompt
        self.addBOS = addBOS
        self.maxTokens = maxTokens
        self.stop = stop
        self.sampling = sampling
    }
}

/// One event of a running generation.
public enum GenerationEvent: Sendable, Equatable {
    /// New text, always whole UTF-8 characters, never part of a stop string.
    case text(String)
    /// Log probabilities of the tokens whose text the next `.text` event starts; sent only when
    /// the request asks for ``GenerationRequest/logprobs``. Tokens cut by a stop string are not
    /// reported.
    case logprobs([TokenLogprob])
    /// The prompt's tokens with their log probabilities, once, before any text (only when the
    /// request asks for ``GenerationRequest/promptLogprobs``).
    case promptLogprobs([TokenLogprob])
    /// The last event.
    case finished(GenerationSummary)
}

/// Why generation ended.
public enum StopReason: String, Sendable, Equatable {
    /// End-of-generation token or a stop string.
    case stop
    /// `maxTokens` reached or the context is full.
    case length
    /// The consumer went away or the generation was stopped.
    case cancelled
    /// The server began shutting down before the generation finished: its stream gets the text
    /// generated so far, then fails with ``LlamaError/interrupted``, so no client mistakes the
    /// cut reply for a whole one.
    case interrupted
}

/// Counts and timings of a finished generation.
public struct GenerationSummary: Sendable, Equatable {
    public var reason: StopReason
    public var promptTokens: Int
    /// Prompt tokens whose KV was reused from a previous request on the same slot.
    public var cachedPromptTokens: Int
    public var completionTokens: Int
    /// Seconds from admission to the first sampled token (prompt evaluation).
    public var promptSeconds: Double
    /// Seconds from the first to the last sampled token.
    public var generationSeconds: Double
    /// For a probe: the most likely next tokens, most likely first.
    public var distribution: [TokenProbability]?
    /// The stop string that ended the text, when one did.
    public var stopString: String?
    /// Drafted and accepted tokens, when the generation speculated.
    public var speculation: SpeculationCounts?

    public init(
        reason: StopReason,
        promptTokens: Int,
        cachedPromptTokens: Int = 0,
        completionTokens: Int,
        promptSeconds: Double = 0,
        generationSeconds: Double = 0,
        distribution: [TokenProbability]? = nil,
        stopString: String? = nil,
        speculation: SpeculationCounts? = nil
    ) {
        self.reason = reason
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.completionTokens = completionTokens
        self.promptSeconds = promptSeconds
        self.generationSeconds = generationSeconds
        self.distribution = distribution
        self.stopString = stopString
        self.speculation = speculation
    }
}
