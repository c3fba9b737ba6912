/// One KV sequence of the decode loop (its `seq_id` is ``id``) and the job running on it.
///
/// A value type owned by ``DecodeWorker``; it does the bookkeeping of prompt evaluation,
/// detokenization and stop strings, and keeps the tokens whose KV it holds after the job ends so
/// that the next job can reuse a shared prefix.
struct SequenceSlot {
    let id: Int32
    private(set) var job: GenerationJob?
    private(set) var sampler: SamplerChain?
    /// Tokens whose keys and values are in this sequence's KV cache, in position order.
    var cachedTokens: [Int32] = []
    private(set) var promptTokens: [Int32] = []
    /// Index of the next prompt token to evaluate.
    private(set) var promptCursor = 0
    private var reusedTokens = 0
    /// The last sampled token, to be decoded in the next tick.
    var lastToken: Int32 = -1
    /// Where this slot's logits are in the current batch, or -1.
    var batchIndex: Int32 = -1
    /// Prompt tokens put in the current batch.
    var pendingChunk = 0
    var completionTokens = 0
    /// A probe's answer, reported in the summary.
    var distribution: [TokenProbability]?
    private var decoder = UTF8StreamDecoder()
    private var stopFilter = StopStringFilter(stops: [])
    private var admittedAt = ContinuousClock.now
    private var firstTokenAt: ContinuousClock.Instant?
    private var lastTokenAt: ContinuousClock.Instant?

    init(id: Int32) { self.id = id }

    var isEvaluatingPrompt: Bool { job != nil && promptCursor < promptTokens.count }
    var isGenerating: Bool { job != nil && promptCursor == promptTokens.count }

    /// Starts a job whose first `reused` prompt tokens are already in the KV cache.
    mutating func start(_ job: GenerationJob, reusing reused: Int, sampler: SamplerChain) {
        self.job = job
        self.sampler = sampler
        cachedTokens.removeSubrange(reused...)
        promptTokens = job.promptTokens
        promptCursor = reused
        reusedTokens = reused
        lastToken = -1
        batchIndex = -1
        pendingChunk = 0
        completionTokens = 0
        distribution = nil
        decoder = UTF8StreamDecoder()
        stopFilter = StopStringFilter(stops: job.request.stop)
        admittedAt = .now
        firstTokenAt = nil
        lastTokenAt = nil
    }

    func nextPromptChunk(limit: Int) -> ArraySlice<Int32> {
        promptTokens[promptCursor..<min(promptTokens.count, promptCursor + limit)]
    }

    /// Records that the prompt chunk put in the batch has been decoded.
    mutating func commitPromptChunk() {
        cachedTokens.append(contentsOf: promptTokens[promptCursor..<promptCursor + pendingChunk])
        promptCursor += pendingChunk
    }

    mutating func markSampled(at instant: ContinuousClock.Instant) {
        if firstTokenAt == nil { firstTokenAt = instant }
        lastTokenAt = instant
    }

    /// Detokenizes one token's bytes and passes the complete text through the stop filter.
    mutating func emit(_ bytes: [UInt8]) -> StopStringFilter.Output {
        stopFilter.append(decoder.append(bytes))
    }

    /// Releases whatever the decoder and the stop filter hold back.
    mutating func flush() -> String {
        let tail = stopFilter.append(decoder.flush())
        return tail.stopped ? tail.text : tail.text + stopFilter.flush()
    }

    func summary(reason: StopReason) -> GenerationSummary {
        let seconds: (ContinuousClock.Duration) -> Double = { Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18 }
        return GenerationSummary(
            reason: reason,
            promptTokens: promptTokens.count,
            cachedPromptTokens: reusedTokens,
            completionTokens: completionTokens,
            promptSeconds: firstTokenAt.map { seconds($0 - admittedAt) } ?? 0,
            generationSeconds: firstTokenAt.flatMap { first in lastTokenAt.map { seconds($0 - first) } } ?? 0,
            distribution: distribution
        )
    }

    mutating func release() {
        job = nil
        sampler = nil
        promptTokens = []
        promptCursor = 0
    }
}
