/// The job running on one sequence slot and what it has produced: its sampler chain, the
/// streaming detokenizer and stop filter, queued log probabilities and timings.
///
/// A value owned by ``DecodeLoop``, one per slot; where the slot's tokens are (prompt, KV
/// cache, batch) is the ``Scheduler``'s business.
struct SequenceOutput {
    let job: GenerationJob
    let sampler: SamplerChain
    /// When it ends.
    let stopPolicy: StopPolicy
    var completionTokens = 0
    /// Prompt tokens reused from the KV cache, for the summary.
    var reusedTokens: Int
    /// A probe's answer, reported in the summary.
    var distribution: [TokenProbability]?
    /// What speculative decoding did so far, when the job speculates.
    var speculation: SpeculationCounts?
    /// Log probabilities of the prompt's tokens so far (prompt logprobs).
    var promptLogprobs: [TokenLogprob] = []
    /// Generated tokens' log probabilities not yet sent, with the byte offset where each
    /// token's text starts in the output.
    private var pendingLogprobs: [(start: Int, entry: TokenLogprob)] = []
    /// Bytes of token text produced and of text emitted so far.
    private var producedBytes = 0
    private var emittedBytes = 0
    private var decoder = UTF8StreamDecoder()
    private var stopFilter: StopStringFilter
    private let admittedAt = ContinuousClock.now
    private var firstTokenAt: ContinuousClock.Instant?
    private var lastTokenAt: ContinuousClock.Instant?

    init(job: GenerationJob, sampler: SamplerChain, reusedTokens: Int, contextLength: Int) {
        self.job = job
        self.sampler = sampler
        stopPolicy = StopPolicy(maxTokens: job.request.maxTokens, contextLength: contextLength)
        self.reusedTokens = reusedTokens
        stopFilter = StopStringFilter(stops: job.request.stop)
    }

    var request: GenerationRequest { job.request }

    mutating func markSampled(at instant: ContinuousClock.Instant) {
        if firstTokenAt == nil { firstTokenAt = instant }
        lastTokenAt = instant
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
        return GenerationSummary(
            reason: reason,
            promptTokens: job.promptTokens.count,
            cachedPromptTokens: reusedTokens,
            completionTokens: completionTokens,
            promptSeconds: firstTokenAt.map { ($0 - admittedAt).inSeconds } ?? 0,
            generationSeconds: firstTokenAt.flatMap { first in lastTokenAt.map { ($0 - first).inSeconds } } ?? 0,
            distribution: distribution,
            stopString: stopFilter.matched,
            speculation: speculation
        )
    }
}
