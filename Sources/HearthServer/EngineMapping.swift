import LlamaEngine
import OpenAIAPI

extension SamplingParameters {
    /// The request's sampling fields over the server's defaults.
    init(_ options: GenerationOptions, defaults: SamplingParameters) {
        self = defaults
        if let value = options.temperature { temperature = value }
        if let value = options.topP { topP = value }
        if let value = options.topK { topK = value }
        if let value = options.minP { minP = value }
        if let value = options.repetitionPenalty { repetitionPenalty = value }
        if let value = options.repetitionPenaltyRange { penaltyLastN = value }
        if let value = options.presencePenalty { presencePenalty = value }
        if let value = options.frequencyPenalty { frequencyPenalty = value }
        if let value = options.banEOSToken { banEndOfGeneration = value }
        // OpenAI: -100 "should result in a ban"; llama.cpp adds the bias to the logit, so make
        // it exact.
        for (token, bias) in options.logitBias { logitBias[Int32(token)] = bias <= -100 ? -.infinity : Float(bias) }
        for token in options.customTokenBans { logitBias[Int32(token)] = -.infinity }
        if let value = options.grammarString { grammar = value }
        let number = { (name: String) in options.numbers[name] }
        if let value = options.dynamicTemperature { dynamicTemperature = value }
        if let value = number("dynatemp_low") { dynamicTemperatureLow = value }
        if let value = number("dynatemp_high") { dynamicTemperatureHigh = value }
        if let value = number("dynatemp_exponent") { dynamicTemperatureExponent = value }
        if let value = number("typical_p") { typicalP = value }
        if let value = number("top_n_sigma") { topNSigma = value }
        if let value = number("xtc_threshold") { xtcThreshold = value }
        if let value = number("xtc_probability") { xtcProbability = value }
        if let value = number("dry_multiplier") { dryMultiplier = value }
        if let value = number("dry_base") { dryBase = value }
        if let value = number("dry_allowed_length") { dryAllowedLength = Int(value) }
        if let value = options.drySequenceBreakers { drySequenceBreakers = value }
        if let value = number("mirostat_mode") { mirostatMode = Int(value) }
        if let value = number("mirostat_tau") { mirostatTau = value }
        if let value = number("mirostat_eta") { mirostatEta = value }
        if let value = number("adaptive_target") { adaptiveTarget = value }
        if let value = number("adaptive_decay") { adaptiveDecay = value }
        if let names = options.samplerPriority { order = Self.stages(from: names) }
        if options.temperatureLast == true { moveTemperatureLast() }
        // A negative seed means "random", as in text-generation-webui.
        if let seed = options.seed { self.seed = seed < 0 ? nil : UInt32(truncatingIfNeeded: seed) }
    }
}

extension GenerationRequest {
    /// A request with the sampling and token fields of `options` over the server's defaults.
    /// `auto_max_new_tokens` lets generation run to the end of the context, as in
    /// text-generation-webui, whatever `max_tokens` says.
    init(prompt: String, maxTokens: Int?, options: GenerationOptions, defaults: SamplingParameters) {
        self.init(
            prompt: prompt,
            addBOS: options.addBOSToken ?? true,
            maxTokens: options.autoMaxNewTokens == true ? nil : maxTokens,
            stop: options.stop,
            sampling: SamplingParameters(options, defaults: defaults)
        )
        rendersSpecialTokens = options.skipSpecialTokens == false
    }
}

extension SamplingParameters {
    /// llama.cpp's stages in the order of text-generation-webui's `sampler_priority` names;
    /// names of Transformers-only samplers are skipped, each stage is kept once.
    static func stages(from names: [String]) -> [Stage] {
        var stages: [Stage] = []
        for name in names {
            let stage: Stage? =
                switch name {
                case "repetition_penalty", "presence_penalty", "frequency_penalty": .penalties
                case "temperature", "dynamic_temperature": .temperature
                default: Stage(rawValue: name)
                }
            if let stage, !stages.contains(stage) { stages.append(stage) }
        }
        return stages
    }
}

extension FinishReason {
    init(_ reason: StopReason) {
        switch reason {
        case .stop, .cancelled: self = .stop
        case .length: self = .length
        }
    }
}

extension OpenAIError {
    /// The client-facing form of an engine failure. `param` names the request field that holds
    /// the prompt (`prompt` or `messages`).
    init(_ error: LlamaError, param: String) {
        switch error {
        case .promptTooLong(let promptTokens, let contextLength):
            self = .contextLengthExceeded(promptTokens: promptTokens, contextLength: contextLength, param: param)
        case .invalidGrammar(let reason):
            self = .invalidValue("grammar_string", "the grammar does not parse: \(reason)")
        case .tooManyChoices(let requested, let limit):
            self = .invalidValue("n", "\(requested) choices were asked for, but this server runs at most \(limit) at once (--parallel).")
        case .queueFull(let limit):
            self = .serverBusy(waiting: limit, retryAfter: 1)
        case .engineStopped:
            self = OpenAIError(status: 503, message: "The server is shutting down.", type: "server_error")
        case .modelLoadFailed, .contextCreationFailed, .tokenizationFailed, .decodeFailed:
            self = .internalError
        }
    }
}

extension GenerationOptions {
    /// Token ids in `logit_bias` and `custom_token_bans` must exist in the model's vocabulary.
    func validateTokens(vocabularySize: Int) throws(OpenAIError) {
        if let token = logitBias.keys.sorted().first(where: { !(0..<vocabularySize).contains($0) }) {
            throw .invalidValue("logit_bias", "\(token) is not a token id of this model (0..<\(vocabularySize)).")
        }
        if let token = customTokenBans.first(where: { !(0..<vocabularySize).contains($0) }) {
            throw .invalidValue("custom_token_bans", "\(token) is not a token id of this model (0..<\(vocabularySize)).")
        }
    }
}

extension LogprobEntry {
    /// The wire form of an engine token log probability.
    init(_ logprob: TokenLogprob) {
        self.init(
            token: String(decoding: logprob.bytes, as: UTF8.self),
            bytes: logprob.bytes,
            logprob: logprob.logprob,
            top: logprob.top.map { Alternative(token: String(decoding: $0.bytes, as: UTF8.self), bytes: $0.bytes, logprob: $0.logprob) }
        )
    }
}
