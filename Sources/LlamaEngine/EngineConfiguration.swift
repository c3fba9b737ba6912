import Foundation

/// How the engine sizes its llama.cpp context, its queue and its threads.
public struct EngineConfiguration: Sendable, Equatable {
    /// Tokens of context available to each sequence (prompt + completion).
    public var contextLength: Int = 4096
    /// Sequences decoded together; they share one KV cache of `contextLength * parallel` tokens.
    public var parallel: Int = 1
    /// Most tokens given to one `llama_decode` call (prompt chunks plus one token per sequence).
    public var batchSize: Int = 2048
    /// Most tokens llama.cpp computes in one pass. Its compute buffer grows with this.
    public var microBatchSize: Int = 512
    /// CPU threads for decoding and prompt evaluation.
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Requests that may wait for a sequence slot; one more is refused with
    /// ``LlamaError/queueFull(limit:)``.
    public var maxQueue: Int = 64
    /// Bytes of host RAM for KV state of prompts evicted from their slot (0: off).
    public var promptCacheBytes: Int = 0
    /// llama.cpp's flash attention: nil lets llama.cpp choose (on, on CPUs), or forced on or off
    /// (`--flash-attn`). Hearth's patch to llama.cpp gives it a fast path for short batches deep
    /// in the context (decoding, drafts, a continued conversation's turn): docs/performance.md.
    public var flashAttention: Bool?
    /// Speculative decoding by prompt lookup (on by default; ``SpeculationSettings/off``).
    public var speculation = SpeculationSettings()
    /// Where the model's layers live: here, or partly on RPC workers (`--rpc`).
    public var placement = ModelPlacement.local
    /// Whether llama.cpp repacks the weights it keeps here for this CPU's fastest kernels (on;
    /// `--no-repack`). RPC workers cannot repack, so with it off the model alone computes exactly
    /// as the model split over workers does.
    public var repackWeights = true

    public init(
        contextLength: Int = 4096,
        parallel: Int = 1,
        batchSize: Int = 2048,
        microBatchSize: Int = 512,
        threads: Int? = nil,
        maxQueue: Int = 64,
        promptCacheBytes: Int = 0,
        flashAttention: Bool? = nil,
        speculation: SpeculationSettings = .init(),
        placement: ModelPlacement = .local,
        repackWeights: Bool = true
    ) {
        self.contextLength = contextLength
        self.parallel = parallel
        self.batchSize = batchSize
        self.microBatchSize = min(microBatchSize, batchSize)
        self.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        self.maxQueue = maxQueue
        self.promptCacheBytes = promptCacheBytes
        self.flashAttention = flashAttention
        self.speculation = speculation
        self.placement = placement
        self.repackWeights = repackWeights
    }
}
