import CLlama

extension SentenceEncoder {
    /// The transformer's tensors as ggml tensors over the mapped file, by role. Hugging Face
    /// names them differently for BERT and MPNet; the graph does not care.
    struct Weights {
        /// A weight and its bias (a linear layer, or a layer norm's scale and shift).
        struct Linear {
            let weight: UnsafeMutablePointer<ggml_tensor>
            let bias: UnsafeMutablePointer<ggml_tensor>
        }

        struct Layer {
            let query, key, value, output, attentionNorm, intermediate, down, outputNorm: Linear
        }

        let words: UnsafeMutablePointer<ggml_tensor>
        let positions: UnsafeMutablePointer<ggml_tensor>
        let tokenTypes: UnsafeMutablePointer<ggml_tensor>?
        let embeddingNorm: Linear
        let relativeBias: UnsafeMutablePointer<ggml_tensor>?
        let layers: [Layer]

        init(folder: SentenceModelFolder, file: SafeTensorsFile, context: OpaquePointer, buffer: ggml_backend_buffer_t) throws(EmbeddingError) {
            func tensor(_ name: String) throws(EmbeddingError) -> UnsafeMutablePointer<ggml_tensor> {
                guard let entry = file.entries[name] else { throw .badModel("model.safetensors has no \(name)") }
                guard entry.dtype == "F32", (1...2).contains(entry.shape.count), entry.shape.reduce(1, *) * 4 == entry.count else {
                    throw .badModel("\(name) is \(entry.dtype) \(entry.shape); float32 vectors and matrices are supported")
                }
                // PyTorch's [rows, columns] is ggml's ne0 = columns, ne1 = rows.
                let shape = entry.shape.reversed().map(Int64.init)
                let made =
                    shape.count == 1
                    ? ggml_new_tensor_1d(context, GGML_TYPE_F32, shape[0]) : ggml_new_tensor_2d(context, GGML_TYPE_F32, shape[0], shape[1])
                guard let made, ggml_backend_tensor_alloc(buffer, made, file.base + entry.offset) == GGML_STATUS_SUCCESS else {
                    throw .badModel("ggml could not place \(name)")
                }
                return made
            }
            func linear(_ prefix: String) throws(EmbeddingError) -> Linear {
                Linear(weight: try tensor(prefix + ".weight"), bias: try tensor(prefix + ".bias"))
            }
            words = try tensor("embeddings.word_embeddings.weight")
            positions = try tensor("embeddings.position_embeddings.weight")
            embeddingNorm = try linear("embeddings.LayerNorm")
            let mpnet = folder.architecture == .mpnet
            tokenTypes = mpnet ? nil : try tensor("embeddings.token_type_embeddings.weight")
            relativeBias = mpnet ? try tensor("encoder.relative_attention_bias.weight") : nil
            var layers: [Layer] = []
            for index in 0..<folder.layers {
                let p = "encoder.layer.\(index)."
                layers.append(
                    Layer(
                        query: try linear(p + (mpnet ? "attention.attn.q" : "attention.self.query")),
                        key: try linear(p + (mpnet ? "attention.attn.k" : "attention.self.key")),
                        value: try linear(p + (mpnet ? "attention.attn.v" : "attention.self.value")),
                        output: try linear(p + (mpnet ? "attention.attn.o" : "attention.output.dense")),
                        attentionNorm: try linear(p + (mpnet ? "attention.LayerNorm" : "attention.output.LayerNorm")),
                        intermediate: try linear(p + "intermediate.dense"),
                        down: try linear(p + "output.dense"),
                        outputNorm: try linear(p + "output.LayerNorm")
                    )
                )
            }
            self.layers = layers
        }
    }
}
