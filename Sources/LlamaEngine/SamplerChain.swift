import CLlama
import Foundation

/// A llama.cpp sampler chain built from ``SamplingParameters``; owned by one sequence of the
/// decode loop and freed with it.
///
/// Logit biases come first; then the stages in ``SamplingParameters/order`` (each only when
/// active); then the pick: greedy, Mirostat, adaptive-p or a seeded draw.
///
/// A grammar is a separate sampler, used as llama.cpp's own server does: the chain picks from
/// all tokens, and only when the grammar refuses that pick is the grammar applied to the whole
/// vocabulary and the pick made again. Checking one token is cheap; masking 150,000 is not,
/// and most picks under a grammar already fit it.
final class SamplerChain {
    let pointer: UnsafeMutablePointer<llama_sampler>
    private var grammar: UnsafeMutablePointer<llama_sampler>?
    private var candidates: [llama_token_data] = []
    /// Tokens the logit biases ban (−∞), which the grammar's mask must leave some other choice to.
    private var banned: Set<Int32> = []

    /// - Parameter picks: false for a probe: the stages only, without the final pick (and
    ///   without Mirostat, which is a pick).
    init(_ parameters: SamplingParameters, model: ModelInfo, vocabulary: OpaquePointer, contextLength: Int, picks: Bool = true) {
        var chainParams = llama_sampler_chain_default_params()
        chainParams.no_perf = true
        pointer = llama_sampler_chain_init(chainParams)
        let seed = parameters.seed ?? UInt32.random(in: 0...UInt32.max)
        var biases = parameters.logitBias
        if parameters.banEndOfGeneration {
            for token in model.endOfGenerationTokens { biases[token] = -.infinity }
        }
        banned = Set(biases.filter { $0.value == -.infinity }.keys)
        if !biases.isEmpty {
            let list = biases.map { llama_logit_bias(token: $0.key, bias: $0.value) }
            add(llama_sampler_init_logit_bias(Int32(clamping: model.vocabularySize), Int32(clamping: list.count), list))
        }
        if let grammar = parameters.grammar {
            // Validated when the request was made (LlamaModel.validateGrammar). A probe (no
            // pick) reports the distribution under the grammar: there the grammar is a stage.
            let sampler = Self.grammarSampler(grammar, vocabulary: vocabulary)
            if picks { self.grammar = sampler } else { add(sampler) }
        }
        // Clamped: a C `int32_t` must never trap on what a request sent (ranges are checked before,
        // this is the last line of defence).
        let lastN = Int32(clamping: parameters.penaltyLastN < 0 ? contextLength : parameters.penaltyLastN)

        if parameters.mirostatMode != 0 && !parameters.isGreedy && picks {
            // As llama.cpp: Mirostat replaces the filtering stages.
            addPenalties(parameters, model: model, lastN: lastN)
            add(llama_sampler_init_temp(Float(parameters.temperature)))
            let tau = Float(parameters.mirostatTau)
            let eta = Float(parameters.mirostatEta)
            add(
                parameters.mirostatMode == 1
                    ? llama_sampler_init_mirostat(Int32(clamping: model.vocabularySize), seed, tau, eta, 100)
                    : llama_sampler_init_mirostat_v2(seed, tau, eta)
            )
            return
        }
        for stage in parameters.stageOrder {
            switch stage {
            case .penalties: addPenalties(parameters, model: model, lastN: lastN)
            case .dry: addDRY(parameters, vocabulary: vocabulary, lastN: lastN)
            case _ where parameters.isGreedy: continue  // only the penalties change an argmax
            case .topNSigma where parameters.topNSigma > 0: add(llama_sampler_init_top_n_sigma(Float(parameters.topNSigma)))
            case .temperature:
                if parameters.dynamicTemperature {
                    let low = parameters.dynamicTemperatureLow
                    let high = parameters.dynamicTemperatureHigh
                    add(llama_sampler_init_temp_ext(Float((low + high) / 2), Float((high - low) / 2), Float(parameters.dynamicTemperatureExponent)))
                } else {
                    add(llama_sampler_init_temp(Float(parameters.temperature)))
                }
            case .topK where parameters.topK > 0: add(llama_sampler_init_top_k(Int32(clamping: parameters.topK)))
            case .topP where parameters.topP < 1: add(llama_sampler_init_top_p(Float(parameters.topP), 1))
            case .typicalP where parameters.typicalP < 1: add(llama_sampler_init_typical(Float(parameters.typicalP), 1))
            case .minP where parameters.minP > 0: add(llama_sampler_init_min_p(Float(parameters.minP), 1))
            case .xtc where parameters.xtcProbability > 0:
                add(llama_sampler_init_xtc(Float(parameters.xtcProbability), Float(parameters.xtcThreshold), 1, seed))
            default: continue
            }
        }
        if !picks {
            return
        } else if parameters.isGreedy {
            add(llama_sampler_init_greedy())
        } else if parameters.adaptiveTarget > 0 {
            add(llama_sampler_init_adaptive_p(Float(parameters.adaptiveTarget), Float(parameters.adaptiveDecay), seed))
        } else {
            add(llama_sampler_init_dist(seed))
        }
    }

    private func addPenalties(_ parameters: SamplingParameters, model: ModelInfo, lastN: Int32) {
        guard parameters.repetitionPenalty != 1 || parameters.presencePenalty != 0 || parameters.frequencyPenalty != 0 else { return }
        add(
            llama_sampler_init_penalties(
                Int32(clamping: model.vocabularySize),
                lastN,
                Float(parameters.repetitionPenalty),
                Float(parameters.frequencyPenalty),
                Float(parameters.presencePenalty)
            )
        )
    }

    private func addDRY(_ parameters: SamplingParameters, vocabulary: OpaquePointer, lastN: Int32) {
        guard parameters.dryMultiplier > 0 else { return }
        let breakers = parameters.drySequenceBreakers.map { strdup($0) }
        defer { breakers.forEach { free($0) } }
        var pointers = breakers.map { UnsafePointer<CChar>($0) }
        add(
            llama_sampler_init_dry(
                vocabulary,
                Float(parameters.dryMultiplier),
                Float(parameters.dryBase),
                Int32(clamping: parameters.dryAllowedLength),
                lastN,
                &pointers,
                pointers.count
            )
        )
    }

    private func add(_ sampler: UnsafeMutablePointer<llama_sampler>?) {
        guard let sampler else { return }
        llama_sampler_chain_add(pointer, sampler)
    }

    static func grammarSampler(_ grammar: Grammar, vocabulary: OpaquePointer) -> UnsafeMutablePointer<llama_sampler>? {
        guard grammar.isLazy else { return llama_sampler_init_grammar(vocabulary, grammar.text, "root") }
        let patterns = grammar.patterns.map { strdup($0) }
        defer { patterns.forEach { free($0) } }
        var pointers = patterns.map { UnsafePointer<CChar>($0) }
        return llama_sampler_init_grammar_lazy_patterns(vocabulary, grammar.text, "root", &pointers, pointers.count, nil, 0)
    }

    /// Samples from the logits of batch position `index` and records the token in the chain's
    /// state (penalties, grammar, Mirostat).
    /// - Returns: nil when the grammar allows no token at all (the sequence must end).
    func sample(context: OpaquePointer, index: Int32, vocabularySize: Int) -> Int32? {
        guard let grammar else { return llama_sampler_sample(pointer, context, index) }
        guard let logits = llama_get_logits_ith(context, index) else { return nil }
        guard var token = pick(logits, vocabularySize: vocabularySize, grammar: nil) else { return nil }
        if !allows(grammar, token) {
            // Accepting a token the grammar refuses would throw inside llama.cpp.
            guard let allowed = pick(logits, vocabularySize: vocabularySize, grammar: grammar), allows(grammar, allowed) else { return nil }
            token = allowed
        }
        llama_sampler_accept(grammar, token)
        llama_sampler_accept(pointer, token)
        return token
    }

    /// The chain's pick over all tokens, after the grammar's mask when one is given.
    /// - Returns: nil when the grammar leaves no token the biases allow (the sequence ends).
    private func pick(_ logits: UnsafeMutablePointer<Float>, vocabularySize: Int, grammar: UnsafeMutablePointer<llama_sampler>?) -> Int32? {
        if candidates.count != vocabularySize {
            candidates = (0..<vocabularySize).map { llama_token_data(id: Int32($0), logit: 0, p: 0) }
        }
        return candidates.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<vocabularySize {
                buffer[index] = llama_token_data(id: Int32(index), logit: logits[index], p: 0)
            }
            var array = llama_token_data_array(data: buffer.baseAddress, size: vocabularySize, selected: -1, sorted: false)
            if let grammar {
                llama_sampler_apply(grammar, &array)
                // A finished grammar allows only the end of generation; if that is banned, nothing is left.
                if !banned.isEmpty {
                    let open = (0..<array.size).contains { array.data[$0].logit != -.infinity && !banned.contains(array.data[$0].id) }
                    guard open else { return nil }
                }
            }
            llama_sampler_apply(pointer, &array)
            guard array.selected >= 0, array.selected < array.size else { return array.data[0].id }
            return array.data[Int(array.selected)].id
        }
    }

    /// Whether the grammar allows `token` next.
    private func allows(_ grammar: UnsafeMutablePointer<llama_sampler>, _ token: Int32) -> Bool {
        Self.grammar(grammar, allows: token)
    }

    /// Whether a grammar sampler leaves `token` a finite logit: the one-token check of
    /// llama.cpp's rejection sampling (its server's `common_sampler_sample`).
    static func grammar(_ grammar: UnsafeMutablePointer<llama_sampler>, allows token: Int32) -> Bool {
        var single = llama_token_data(id: token, logit: 1, p: 0)
        return withUnsafeMutablePointer(to: &single) { pointer in
            var array = llama_token_data_array(data: pointer, size: 1, selected: -1, sorted: false)
            llama_sampler_apply(grammar, &array)
            return pointer.pointee.logit != -.infinity
        }
    }

    deinit {
        llama_sampler_free(pointer)
        if let grammar { llama_sampler_free(grammar) }
    }
}
