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
    /// For a follower of a multi-choice job: the slot whose prompt evaluation it waits for.
    var leader: Int?
    /// Batch index of the first prompt token of the current chunk (prompt logprobs).
    var chunkStart: Int32 = -1
    /// Log probabilities of the prompt's tokens so far (prompt logprobs).
    var promptLogprobs: [TokenLogprob] = []
    /// Generated tokens' log probabilities not yet sent, with the byte offset where each
    /// token's text starts in the output.
    private var pendingLogprobs: [(start: Int, entry: TokenLogprob)] = []
    /// Bytes of token text produced and of text emitted so far.
    private var producedBytes = 0
    private var emittedBytes = 0
    private var decoder = UTF8StreamDecoder()
    private var stopFilter = StopStringFilter(stops: [])
    private var admittedAt = ContinuousClock.now
    private var firstTokenAt: ContinuousClock.Instant?
    private var lastTokenAt: ContinuousClock.Instant?

    init(id: Int32) { self.id = id }

    var isEvaluatingPrompt: Bool { job != nil && leader == nil && promptCursor < promptTokens.count }
    var wantsPromptLogprobs: Bool { job?.request.promptLogprobs == true }
    var isGenerating: Bool { job != nil && leader == nil && promptCursor == promptTokens.count }

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
        leader = nil
        chunkStart = -1
        promptLogprobs = []
        pendingLogprobs = []
        producedBytes = 0
        emittedBytes = 0
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

    /// Takes over the prompt a leader has evaluated, whose KV has been copied into this slot.
    mutating func adoptPrompt(cachedTokens tokens: [Int32], promptLogprobs entries: [TokenLogprob]) {
        cachedTokens = tokens
        promptCursor = promptTokens.count
        promptLogprobs = entries
        leader = nil
    }

    /// Detokenizes one token's bytes and passes the complete text through the stop filter.
    /// `logprob` (when the request asks for them) is queued until the token's text is emitted.
    mutating func emit(_ bytes: [UInt8], logprob: TokenLogprob?) -> (output: StopStringFilter.Output, logprobs: [TokenLogprob]) {
        if let logprob { pendingLogprobs.append((producedBytes, logprob)) }
        producedBytes += bytes.count
        let output = stopFilter.append(decoder.append(bytes))
        return (output, releaseLogprobs(after: output.text, all: false))
    }

    /// Releases whatever the decoder and the stop filter hold back, with the log probabilities
    /// of the tokens that text (or a generation ending without a stop string) covers.
    mutating func flush() -> (text: String, logprobs: [TokenLogprob]) {
        let tail = stopFilter.append(decoder.flush())
        let text = tail.stopped ? tail.text : tail.text + stopFilter.flush()
        return (text, releaseLogprobs(after: text, all: !tail.stopped))
    }

    /// The queued log probabilities of tokens whose text has started to appear in the output.
    private mutating func releaseLogprobs(after text: String, all: Bool) -> [TokenLogprob] {
        emittedBytes += text.utf8.count
        guard !pendingLogprobs.isEmpty else { return [] }
        let count = all ? pendingLogprobs.count : pendingLogprobs.prefix { $0.start < emittedBytes }.count
        defer { pendingLogprobs.removeFirst(count) }
        return pendingLogprobs.prefix(count).map(\.entry)
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
        leader = nil
        pendingLogprobs = []
        promptLogprobs = []
        sampler = nil
        promptTokens = []
        promptCursor = 0
    }
}
