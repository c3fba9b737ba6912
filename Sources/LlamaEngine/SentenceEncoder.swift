import CEncoderOps
import CLlama
import Foundation

/// A sentence-transformers model (BERT or MPNet) computed with ggml on the CPU: the same
/// pipeline as sentence-transformers (its tokenizer, the transformer, mean pooling over the real
/// tokens, L2 normalisation). llama.cpp has no MPNet, so Hearth builds the transformer's graph
/// itself on ggml, the tensor library llama.cpp is built on; BERT is the same graph without
/// MPNet's relative position bias, so both models share this one implementation.
///
/// Texts are embedded in batches, several texts per graph packed one after another without
/// padding: the matrix products run on OpenBLAS and attention looks within each text
/// (native/hearth_encoder_ops.c), so a text's vector does not depend on its batch beyond float
/// rounding.
public final class SentenceEncoder: @unchecked Sendable {
    // Sound: the ggml objects and the measured rate are used only under `lock`, one forward pass
    // at a time; the weights (mapped, and fast precision's bfloat16 copies in `converted`) and
    // `precision` are read-only after init.
    public let folder: SentenceModelFolder
    private let file: SafeTensorsFile
    private let weightContext: OpaquePointer
    private let weightBuffer: ggml_backend_buffer_t
    private let backend: ggml_backend_t
    private let allocator: ggml_gallocr_t
    private let weights: Weights
    /// The bfloat16 copies of the layers' weights (fast precision), nil for exact.
    private let converted: Converted?
    private let lock = NSLock()

    /// The vector length.
    public var dimensions: Int { folder.hiddenSize }

    /// How the matrix products are computed.
    public let precision: EmbeddingPrecision

    /// What computes the layers' products, for the log: OpenBLAS's version and the kernel it
    /// chose for this CPU, or which bfloat16 kernel.
    public var kernel: String {
        guard let converted else { return String(cString: hearth_blas_description()) }
        return converted.packed ? "Hearth's AVX-512 BF16 kernel" : "ggml's BF16 kernel"
    }

    /// Loads a model folder (`models/embeddings/<name>`); the weights are mapped, not copied
    /// (fast precision adds a bfloat16 copy of the layers' matrices, half their size).
    /// - Parameter threads: CPU threads a forward pass uses.
    public convenience init(path: String, threads: Int, precision: EmbeddingPrecision = .exact) throws(EmbeddingError) {
        try self.init(path: path, threads: threads, precision: precision, packing: true)
    }

    /// ``init(path:threads:precision:)``; `packing: false` keeps fast precision's weights in
    /// ggml's order even where Hearth's kernel could run (tests: the path of CPUs without it).
    init(path: String, threads: Int, precision: EmbeddingPrecision, packing: Bool) throws(EmbeddingError) {
        self.precision = precision
        folder = try SentenceModelFolder(path: path)
        file = try SafeTensorsFile(path: "\(path)/model.safetensors")
        _ = LlamaBackend.initialize
        let count = file.entries.count + 8
        guard let context = ggml_init(ggml_init_params(mem_size: ggml_tensor_overhead() * count, mem_buffer: nil, no_alloc: true)) else {
            throw .badModel("ggml could not start")
        }
        weightContext = context
        guard let buffer = ggml_backend_cpu_buffer_from_ptr(file.base, file.size) else {
            ggml_free(context)
            throw .badModel("ggml could not use the mapped weights")
        }
        weightBuffer = buffer
        do {
            let mapped = try Weights(folder: folder, file: file, context: context, buffer: buffer)
            if precision == .fast {
                let copies = try Converted(mapped, packing: packing)
                (weights, converted) = (copies.weights, copies)
            } else {
                (weights, converted) = (mapped, nil)
            }
        } catch {
            ggml_backend_buffer_free(buffer)
            ggml_free(context)
            throw error
        }
        guard let cpu = ggml_backend_cpu_init() else {
            ggml_backend_buffer_free(buffer)
            ggml_free(context)
            throw .badModel("ggml has no CPU backend")
        }
        ggml_backend_cpu_set_n_threads(cpu, Int32(max(1, threads)))
        backend = cpu
        allocator = ggml_gallocr_new(ggml_backend_cpu_buffer_type())
    }

    deinit {
        ggml_gallocr_free(allocator)
        ggml_backend_free(backend)
        ggml_backend_buffer_free(weightBuffer)
        ggml_free(weightContext)
    }

    /// Normalised embeddings of token-id lists (from ``SentenceModelFolder/tokenize(_:)``), in
    /// order. Runs the texts in batches of similar size, each pass on `threads` CPU threads;
    /// `shouldStop` is asked between passes (a client that left), and a stop throws
    /// `CancellationError`.
    /// - Parameter turns: when given, a pass runs a few layers at a time, each part waiting for
    ///   its turn beside the decode loops and lasting about one of their ticks while they
    ///   generate (fewer texts too), a quarter second otherwise.
    public func embed(
        _ texts: [[Int32]],
        threads: Int? = nil,
        turns: ComputeTurns? = nil,
        shouldStop: () -> Bool = { false }
    ) throws(EmbeddingError) -> [[Float]] {
        try embed(texts, threads: threads, turns: turns, layersAtOnce: nil, shouldStop: shouldStop)
    }

    /// ``embed(_:threads:turns:shouldStop:)``, with at most `layersAtOnce` layers per part
    /// when given (tests: parts give the vectors a whole pass gives).
    func embed(
        _ texts: [[Int32]],
        threads: Int?,
        turns: ComputeTurns?,
        layersAtOnce most: Int?,
        shouldStop: () -> Bool
    ) throws(EmbeddingError) -> [[Float]] {
        var results = [[Float]](repeating: [], count: texts.count)
        // A text with no tokens is one padding token (id 0), so that its mean is defined.
        let texts = texts.map { $0.isEmpty ? [0] : $0 }
        // Longest first, so that a pass beside generations holds texts of similar length; passes
        // are packed (no padding), at most `tokensPerPass` tokens each unless one text is longer.
        let order = texts.indices.sorted { texts[$0].count > texts[$1].count }
        let layerCount = weights.layers.count
        var start = 0
        while start < order.count {
            // Token-layers a part may compute: all of a batch's, or (taking turns) the part's
            // time's worth; beside generations the batch is cut too, so a part lasts a tick.
            let part = turns?.sideBudget
            let budget = part.map { Int($0.seconds * lock.withLock { tokenLayersPerSecond }) }
            let cap = min(part?.generating == true ? (budget ?? 0) : Self.tokensPerPass, Self.tokensPerPass)
            var end = start + 1
            var tokens = texts[order[start]].count
            while end < order.count, tokens + texts[order[end]].count <= cap {
                tokens += texts[order[end]].count
                end += 1
            }
            let layersAtOnce = min(budget.map { max(1, min(layerCount, $0 / tokens)) } ?? layerCount, most ?? layerCount)
            let members = order[start..<end].map { texts[$0] }
            var states: [Float]? = nil
            for first in stride(from: 0, to: layerCount, by: layersAtOnce) {
                if shouldStop() { throw .stopped }
                let layers = first..<min(first + layersAtOnce, layerCount)
                let compute = { [states] () throws(EmbeddingError) -> [Float] in
                    self.lock.lock()
                    defer { self.lock.unlock() }
                    if let threads { ggml_backend_cpu_set_n_threads(self.backend, Int32(max(1, threads))) }
                    let started = ContinuousClock.now
                    let output = try self.forward(members, layers: layers, from: states)
                    let seconds = (ContinuousClock.now - started).inSeconds
                    // Recent parts weigh most: the rate sizes parts beside generations.
                    let rate = Double(tokens * layers.count) / max(seconds, 1e-6)
                    self.tokenLayersPerSecond = 0.7 * self.tokenLayersPerSecond + 0.3 * rate
                    return output
                }
                if let turns { states = try turns.side(compute) } else { states = try compute() }
            }
            var first = 0
            for index in order[start..<end] {
                results[index] = Self.meanPooledNormalised(states ?? [], hidden: folder.hiddenSize, from: first, count: texts[index].count)
                first += texts[index].count
            }
            start = end
        }
        return results
    }

    /// Tokens times layers computed per second by recent parts (guarded by `lock`).
    private var tokenLayersPerSecond = 20_000.0

    /// Tokens computed in one pass: bounds a pass's memory (the hidden states, and the widest
    /// layer's activations) and how long a pass that does not take turns holds the CPU.
    static let tokensPerPass = 2048

    // MARK: The graph

    /// The hidden states (token-major, `hidden` floats per token, the texts' tokens one after
    /// another without padding) after `layers`: from the texts' token embeddings when `input` is
    /// nil, else from `input`, the states the layers before returned. A pass in parts computes
    /// what it does at once.
    private func forward(_ batch: [[Int32]], layers: Range<Int>, from input: [Float]?) throws(EmbeddingError) -> [Float] {
        let (sequences, hidden, heads) = (batch.count, folder.hiddenSize, folder.heads)
        let tokens = batch.reduce(0) { $0 + $1.count }
        let longest = batch.map(\.count).max() ?? 0
        let nodes = 4096
        let size = ggml_tensor_overhead() * nodes + ggml_graph_overhead_custom(nodes, false)
        guard let context = ggml_init(ggml_init_params(mem_size: size, mem_buffer: nil, no_alloc: true)) else {
            throw .badModel("ggml could not start a pass")
        }
        defer { ggml_free(context) }
        let spans = ggml_new_tensor_2d(context, GGML_TYPE_I32, 2, Int64(sequences))!
        let buckets = folder.architecture == .mpnet ? ggml_new_tensor_1d(context, GGML_TYPE_I32, Int64(longest * longest)) : nil
        var ids: UnsafeMutablePointer<ggml_tensor>?
        var positions: UnsafeMutablePointer<ggml_tensor>?
        var x: UnsafeMutablePointer<ggml_tensor>
        if input == nil {
            let (tokenIDs, tokenPositions) = (
                ggml_new_tensor_1d(context, GGML_TYPE_I32, Int64(tokens))!, ggml_new_tensor_1d(context, GGML_TYPE_I32, Int64(tokens))!
            )
            (ids, positions) = (tokenIDs, tokenPositions)
            x = ggml_add(context, ggml_get_rows(context, weights.words, tokenIDs), ggml_get_rows(context, weights.positions, tokenPositions))!
            if let types = weights.tokenTypes { x = ggml_add(context, x, ggml_view_1d(context, types, Int64(hidden), 0))! }
            x = norm(context, x, weights.embeddingNorm)
        } else {
            x = ggml_new_tensor_2d(context, GGML_TYPE_F32, Int64(hidden), Int64(tokens))!
        }
        let start = input == nil ? nil : x
        for tensor in [spans, buckets, ids, positions, start].compactMap({ $0 }) { ggml_set_input(tensor) }
        let bias = buckets.map { buckets in
            // [heads, k·q] → [k, q, heads]: one bias per head for each query/key pair.
            let rows = ggml_get_rows(context, weights.relativeBias!, buckets)!
            let grid = ggml_reshape_3d(context, rows, Int64(heads), Int64(longest), Int64(longest))!
            return ggml_cont(context, ggml_permute(context, grid, 2, 0, 1, 3))!
        }
        for layer in weights.layers[layers] {
            let qkv = linear(context, x, [layer.query, layer.key, layer.value])
            let attended = hearth_attention(context, qkv[0], qkv[1], qkv[2], spans, bias, Int32(heads))!
            x = norm(context, ggml_add(context, linear(context, attended, [layer.output])[0], x)!, layer.attentionNorm)
            let inner = hearth_gelu(context, linear(context, x, [layer.intermediate])[0])!
            x = norm(context, ggml_add(context, linear(context, inner, [layer.down])[0], x)!, layer.outputNorm)
        }
        ggml_set_output(x)
        let graph = ggml_new_graph_custom(context, nodes, false)!
        ggml_build_forward_expand(graph, x)
        guard ggml_gallocr_alloc_graph(allocator, graph) else { throw .badModel("ggml could not allocate a pass") }

        ids?.set(batch.flatMap { $0 })
        // MPNet numbers positions from its padding index + 1 (2); BERT from 0.
        let offset: Int32 = folder.architecture == .mpnet ? 2 : 0
        positions?.set(batch.flatMap { text in (0..<Int32(text.count)).map { $0 + offset } })
        if let start, let input { start.set(input) }
        var first: Int32 = 0
        spans.set(
            batch.flatMap { text in
                defer { first += Int32(text.count) }
                return [first, Int32(text.count)]
            }
        )
        if let buckets {
            let count = folder.relativeBuckets
            buckets.set((0..<longest).flatMap { q in (0..<longest).map { k in Self.bucket(k - q, buckets: count) } })
        }
        guard ggml_backend_graph_compute(backend, graph) == GGML_STATUS_SUCCESS else { throw .badModel("a ggml pass failed") }

        var output = [Float](repeating: 0, count: hidden * tokens)
        output.withUnsafeMutableBytes { ggml_backend_tensor_get(x, $0.baseAddress, 0, $0.count) }
        return output
    }

    /// `x · weightᵀ + bias` for each of `layers` (which share the input `x`): float32 weights
    /// on OpenBLAS (native/hearth_encoder_ops.c; ggml's own float32 product reaches about two
    /// thirds of its speed on these shapes); packed bfloat16 ones by Hearth's AVX-512 BF16 kernel,
    /// `x` cast to bfloat16 once for all of them; plain bfloat16 ones by ggml.
    private func linear(_ context: OpaquePointer, _ x: UnsafeMutablePointer<ggml_tensor>, _ layers: [Weights.Linear]) -> [UnsafeMutablePointer<
        ggml_tensor
    >] {
        if converted?.packed == true {
            let rounded = ggml_cast(context, x, GGML_TYPE_BF16)!
            return layers.map { hearth_bf16_linear(context, $0.weight, $0.bias, rounded)! }
        }
        return layers.map { layer in
            if layer.weight.pointee.type == GGML_TYPE_F32 { return hearth_blas_linear(context, layer.weight, layer.bias, x)! }
            return ggml_add(context, ggml_mul_mat(context, layer.weight, x), layer.bias)!
        }
    }

    private func norm(_ context: OpaquePointer, _ x: UnsafeMutablePointer<ggml_tensor>, _ layer: Weights.Linear) -> UnsafeMutablePointer<ggml_tensor>
    {
        ggml_add(context, ggml_mul(context, ggml_norm(context, x, folder.layerNormEpsilon), layer.weight), layer.bias)
    }

    /// The mean of a text's token vectors, scaled to length 1 (sentence-transformers' mean
    /// pooling, then `normalize_embeddings`). Sums in Double, so the order does not matter.
    static func meanPooledNormalised(_ output: [Float], hidden: Int, from token: Int, count: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: hidden)
        for t in token..<token + count {
            let row = t * hidden
            for i in 0..<hidden { sum[i] += Double(output[row + i]) }
        }
        let norm = max(sum.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return sum.map { Float($0 / norm) }
    }

    /// MPNet's relative position bucket (T5's scheme, bidirectional): exact for small
    /// distances, logarithmic up to 128, computed in Float as PyTorch computes it.
    static func bucket(_ relative: Int, buckets: Int, maxDistance: Int = 128) -> Int32 {
        let half = buckets / 2
        var result = relative > 0 ? half : 0
        let distance = abs(relative)
        let exact = half / 2
        if distance < exact {
            result += distance
        } else {
            let scaled = log(Float(distance) / Float(exact)) / Float(log(Double(maxDistance) / Double(exact))) * Float(half - exact)
            result += min(exact + Int(scaled), half - 1)
        }
        return Int32(result)
    }
}

extension UnsafeMutablePointer where Pointee == ggml_tensor {
    /// Copies values into an allocated input tensor.
    fileprivate func set<Element>(_ values: [Element]) {
        values.withUnsafeBytes { ggml_backend_tensor_set(self, $0.baseAddress, 0, $0.count) }
    }
}
