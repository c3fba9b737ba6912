import CLlama

/// A llama.cpp sampler chain built from ``SamplingParameters``; owned by one sequence of the
/// decode loop and freed with it.
///
/// Order follows llama.cpp's defaults: penalties, top-k, top-p, min-p, temperature, then the
/// final pick (greedy or seeded random).
final class SamplerChain {
    let pointer: UnsafeMutablePointer<llama_sampler>

    init(_ parameters: SamplingParameters, model: ModelInfo, vocabulary: OpaquePointer, contextLength: Int) {
        var chainParams = llama_sampler_chain_default_params()
        chainParams.no_perf = true
        pointer = llama_sampler_chain_init(chainParams)
        let vocabularySize = model.vocabularySize
        var biases = parameters.logitBias
        if parameters.banEndOfGeneration {
            for token in model.endOfGenerationTokens { biases[token] = -.infinity }
        }
        if !biases.isEmpty {
            let list = biases.map { llama_logit_bias(token: $0.key, bias: $0.value) }
            add(llama_sampler_init_logit_bias(Int32(vocabularySize), Int32(list.count), list))
        }
        if let grammar = parameters.grammar {
            // Validated when the request was made (LlamaModel.validateGrammar).
            add(llama_sampler_init_grammar(vocabulary, grammar, "root"))
        }
        let penalised =
            parameters.repetitionPenalty != 1 || parameters.presencePenalty != 0 || parameters.frequencyPenalty != 0
        if penalised {
            let lastN = parameters.penaltyLastN < 0 ? contextLength : parameters.penaltyLastN
            add(
                llama_sampler_init_penalties(
                    Int32(vocabularySize),
                    Int32(lastN),
                    Float(parameters.repetitionPenalty),
                    Float(parameters.frequencyPenalty),
                    Float(parameters.presencePenalty)
                )
            )
        }
        if parameters.isGreedy {
            add(llama_sampler_init_greedy())
            return
        }
        if parameters.topK > 0 { add(llama_sampler_init_top_k(Int32(parameters.topK))) }
        if parameters.topP < 1 { add(llama_sampler_init_top_p(Float(parameters.topP), 1)) }
        if parameters.minP > 0 { add(llama_sampler_init_min_p(Float(parameters.minP), 1)) }
        add(llama_sampler_init_temp(Float(parameters.temperature)))
        add(llama_sampler_init_dist(parameters.seed ?? UInt32.random(in: 0...UInt32.max)))
    }

    private func add(_ sampler: UnsafeMutablePointer<llama_sampler>?) {
        guard let sampler else { return }
        llama_sampler_chain_add(pointer, sampler)
    }

    /// Samples from the logits of batch position `index` and records the token in the chain's
    /// state (penalties).
    func sample(context: OpaquePointer, index: Int32) -> Int32 {
        llama_sampler_sample(pointer, context, index)
    }

    deinit { llama_sampler_free(pointer) }
}
