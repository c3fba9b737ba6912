import LlamaEngine
import OpenAIAPI

extension SamplingParameters {
    /// The sampler fields of `settings` over `defaults` (the server's).
    init(_ settings: SamplerSettings, over defaults: SamplingParameters) {
        self = defaults
        for (field, value) in settings.values { set(field, value) }
    }

    /// The request's sampling fields (over the preset it names, already merged into
    /// `options.sampling`) and token fields over the server's defaults.
    init(_ options: GenerationOptions, defaults: SamplingParameters) {
        self.init(options.sampling, over: defaults)
        // OpenAI: -100 "should result in a ban"; llama.cpp adds the bias to the logit, so make
        // it exact. Token ids were checked against the vocabulary, so they fit `Int32`.
        for (token, bias) in options.logitBias { logitBias[Int32(clamping: token)] = bias <= -100 ? -.infinity : Float(bias) }
        for token in options.customTokenBans { logitBias[Int32(clamping: token)] = -.infinity }
        // A negative seed means "random", as in text-generation-webui.
        if let seed = options.seed { self.seed = seed < 0 ? nil : UInt32(truncatingIfNeeded: seed) }
    }

    /// Sets the engine parameter a sampler field maps to. The switch has no `default`: a field
    /// added to ``SamplerField`` and not mapped here does not compile.
    mutating func set(_ field: SamplerField, _ value: SamplerValue) {
        switch field {
        case .temperature: temperature = value.number
        case .dynamicTemperature: dynamicTemperature = value.flag
        case .dynatempLow: dynamicTemperatureLow = value.number
        case .dynatempHigh: dynamicTemperatureHigh = value.number
        case .dynatempExponent: dynamicTemperatureExponent = value.number
        case .temperatureLast: temperatureLast = value.flag
        case .topP: topP = value.number
        case .topK: topK = value.integer
        case .minP: minP = value.number
        case .typicalP: typicalP = value.number
        case .topNSigma: topNSigma = value.number
        case .xtcProbability: xtcProbability = value.number
        case .xtcThreshold: xtcThreshold = value.number
        case .repetitionPenalty: repetitionPenalty = value.number
        case .repetitionPenaltyRange: penaltyLastN = value.integer
        case .presencePenalty: presencePenalty = value.number
        case .frequencyPenalty: frequencyPenalty = value.number
        case .dryMultiplier: dryMultiplier = value.number
        case .dryBase: dryBase = value.number
        case .dryAllowedLength: dryAllowedLength = value.integer
        case .drySequenceBreakers: drySequenceBreakers = value.list
        case .mirostatMode: mirostatMode = value.integer
        case .mirostatTau: mirostatTau = value.number
        case .mirostatEta: mirostatEta = value.number
        case .adaptiveTarget: adaptiveTarget = value.number
        case .adaptiveDecay: adaptiveDecay = value.number
        case .samplerPriority: order = Self.stages(from: value.list)
        case .banEOSToken: banEndOfGeneration = value.flag
        case .maxTokensSecond: break  // paces the HTTP stream (StreamThrottle); sampling is unaffected
        }
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
        speculative = options.speculative ?? true
        prediction = options.prediction.flatMap { $0.isEmpty ? nil : $0 }
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
        case .stop, .cancelled, .interrupted: self = .stop
        case .length: self = .length
        }
    }
}

extension OpenAIError {
    /// The client-facing form of an engine failure. `param` names the request field that holds
    /// the prompt (`prompt` or `messages`), `grammarParam` the one the grammar came in
    /// (`grammar_string`, `guided_grammar`, …).
    init(_ error: LlamaError, param: String, grammarParam: String = "grammar_string") {
        switch error {
        case .promptTooLong(let promptTokens, let contextLength):
            self = .contextLengthExceeded(promptTokens: promptTokens, contextLength: contextLength, param: param)
        case .invalidGrammar(let reason):
            self = .invalidValue(grammarParam, "the grammar does not parse: \(reason)")
        case .tooManyChoices(let requested, let limit):
            self = .invalidValue("n", "\(requested) choices were asked for, but this server runs at most \(limit) at once (--parallel).")
        case .queueFull(let limit):
            self = .serverBusy(waiting: limit, retryAfter: 1)
        case .engineStopped:
            self = OpenAIError(status: 503, message: "The server is shutting down.", type: "server_error")
        case .interrupted:
            self = OpenAIError(
                status: 503,
                message: "The server is shutting down: the generation was cut before it finished. Retry the request.",
                type: "server_error",
                code: "server_shutting_down"
            )
        case .remoteWorkerLost(let worker):
            self = .unavailable(
                "The RPC worker \(worker), which holds some of the model's layers, stopped answering; the generation could "
                    + "not go on. The model is loaded again at the next request once the worker is back. Retry the request.",
                code: "rpc_worker_lost",
                retryAfter: 5
            )
        case .remoteWorkerUnreachable(let worker, let reason):
            self = .rpcWorkerUnreachable(worker, reason: reason)
        case .modelLoadFailed, .adapterLoadFailed, .contextCreationFailed, .tokenizationFailed, .decodeFailed, .invalidConfiguration:
            self = .internalError
        }
    }
}

extension OpenAIError {
    /// 503: the model's RPC worker cannot be reached, so the model cannot be loaded now.
    static func rpcWorkerUnreachable(_ worker: String, reason: String) -> OpenAIError {
        .unavailable(
            "The model's layers are placed on RPC workers, and \(worker) cannot be used: \(reason). Retry once it runs.",
            code: "rpc_worker_unreachable",
            retryAfter: 5
        )
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
