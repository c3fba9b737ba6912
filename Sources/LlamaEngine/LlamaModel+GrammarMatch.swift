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
        func allows(_ token: Int32) -> Bool {
            var single = llama_token_data(id: token, logit: 1, p: 0)
            return withUnsafeMutablePointer(to: &single) { pointer in
                var array = llama_token_data_array(data: pointer, size: 1, selected: -1, sorted: false)
                llama_sampler_apply(sampler, &array)
                return pointer.pointee.logit != -.infinity
            }
        }
        for token in tokens {
            guard allows(token) else { return false }
            llama_sampler_accept(sampler, token)
        }
        return allows(llama_vocab_eos(vocab))
    }
}
