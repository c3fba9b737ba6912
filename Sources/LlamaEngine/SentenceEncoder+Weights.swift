import CEncoderOps
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
    }

    /// bfloat16 copies of the layers' matrices (fast precision), in a buffer of their own that
    /// lives as long as this value; everything else stays the mapped float32. Packed for
    /// Hearth's AVX-512 BF16 kernel when the build has it (and every matrix has 64·n outputs),
    /// else in ggml's row order for ggml's kernel.
    final class Converted {
        let weights: Weights
        let packed: Bool
        private let context: OpaquePointer
        private let buffer: ggml_backend_buffer_t

        init(_ source: Weights, packing: Bool) throws(EmbeddingError) {
            let count = source.layers.count * 6 + 1
            guard let context = ggml_init(ggml_init_params(mem_size: ggml_tensor_overhead() * count, mem_buffer: nil, no_alloc: true)) else {
                throw .badModel("ggml could not start")
            }
            var pairs: [(from: UnsafeMutablePointer<ggml_tensor>, to: UnsafeMutablePointer<ggml_tensor>)] = []
            func converted(_ linear: Weights.Linear) -> Weights.Linear {
                let from = linear.weight
                let to = ggml_new_tensor_2d(context, GGML_TYPE_BF16, from.pointee.ne.0, from.pointee.ne.1)!
                pairs.append((from, to))
                return Weights.Linear(weight: to, bias: linear.bias)
            }
            let layers = source.layers.map { layer in
                Weights.Layer(
                    query: converted(layer.query),
                    key: converted(layer.key),
                    value: converted(layer.value),
                    output: converted(layer.output),
                    attentionNorm: layer.attentionNorm,
                    intermediate: converted(layer.intermediate),
                    down: converted(layer.down),
                    outputNorm: layer.outputNorm
                )
            }
            guard let buffer = ggml_backend_alloc_ctx_tensors_from_buft(context, ggml_backend_cpu_buffer_type()) else {
                ggml_free(context)
                throw .badModel("no memory for the bfloat16 weights")
            }
            packed = packing && hearth_bf16_available() != 0 && pairs.allSatisfy { $0.from.pointee.ne.1 % 64 == 0 && $0.from.pointee.ne.0 % 2 == 0 }
            for (from, to) in pairs {
                // Rounded to nearest even, as PyTorch's `.to(torch.bfloat16)`.
                let floats = from.pointee.data.assumingMemoryBound(to: Float.self)
                if packed {
                    hearth_bf16_pack(floats, from.pointee.ne.1, from.pointee.ne.0, to.pointee.data.assumingMemoryBound(to: UInt16.self))
                } else {
                    ggml_fp32_to_bf16_row(floats, to.pointee.data.assumingMemoryBound(to: ggml_bf16_t.self), ggml_nelements(from))
                }
            }
            (self.context, self.buffer) = (context, buffer)
            weights = Weights(
                words: source.words,
                positions: source.positions,
                tokenTypes: source.tokenTypes,
                embeddingNorm: source.embeddingNorm,
                relativeBias: source.relativeBias,
                layers: layers
            )
        }

        deinit {
            ggml_backend_buffer_free(buffer)
            ggml_free(context)
        }
    }
}

extension SentenceEncoder.Weights {
    /// The tensors of a model file, over its mapping.
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
