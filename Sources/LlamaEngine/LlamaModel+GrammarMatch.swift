import CLlama

extension LlamaModel {
    /// Whether llama.cpp's grammar engine accepts `text` as a whole sentence of `grammar`: each
    /// of its tokens in turn, then the end of generation. For tests of grammar converters,
    /// which thereby check their output against the engine that enforces it.
    public func grammarAccepts(_ grammar: String, text: String) -> Bool {
        guard let tokens = try? tokenize(text, addSpecial: false, parseSpecial: false),
            let sampler = llama_sampler_init_grammar(vocab, grammar, "root")
        else { return false }
        defer { llama_sampler_free(sampler) }
        for token in tokens {
            guard SamplerChain.grammar(sampler, allows: token) else { return false }
            llama_sampler_accept(sampler, token)
        }
        return SamplerChain.grammar(sampler, allows: llama_vocab_eos(vocab))
    }
}
