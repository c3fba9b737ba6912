import CLlama
import Foundation
import Logging

/// The decode loop proper. It lives on the decode thread and owns the llama context, the batch
/// and every sequence slot; nothing else touches them.
///
/// Each tick builds one `llama_batch` holding the next token of every generating sequence plus
/// chunks of pending prompts, calls `llama_decode` once, then samples every sequence that has
/// logits in the batch.
final class DecodeWorker {
    private let model: LlamaModel
    private let configuration: EngineConfiguration
    private unowned let loop: DecodeLoop
    private let logger: Logger
    private let context: OpaquePointer
    private var batch: llama_batch
    private var slots: [SequenceSlot]
    private var promptCache: PromptCache

    init(model: LlamaModel, configuration: EngineConfiguration, loop: DecodeLoop, logger: Logger) throws(LlamaError) {
        var params = llama_context_default_params()
        let totalContext = configuration.contextLength * configuration.parallel
        params.n_ctx = UInt32(totalContext)
        params.n_batch = UInt32(configuration.batchSize)
        params.n_ubatch = UInt32(configuration.microBatchSize)
        params.n_seq_max = UInt32(configuration.parallel)
        // Each tick asks for logits of at most one token per sequence. Telling llama.cpp so keeps
        // its compute buffer from reserving a vocabulary-sized row for every token of a micro-batch
        // (151,936 floats each for Qwen2.5: 300 MiB at 512 tokens).
        params.n_outputs_max = UInt32(configuration.parallel)
        params.n_threads = Int32(configuration.threads)
        params.n_threads_batch = Int32(configuration.threads)
        params.kv_unified = true
        params.no_perf = true
        guard let context = llama_init_from_model(model.pointer, params) else {
            throw .contextCreationFailed(contextSize: totalContext)
        }
        self.model = model
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.context = context
        batch = llama_batch_init(Int32(configuration.batchSize), 0, 1)
        slots = (0..<configuration.parallel).map { SequenceSlot(id: Int32($0)) }
        promptCache = PromptCache(capacityBytes: configuration.promptCacheBytes)
        logger.info(
            "Decode loop ready",
            metadata: [
                "llama.n_ctx": "\(totalContext)", "llama.n_seq": "\(configuration.parallel)",
                "llama.n_batch": "\(configuration.batchSize)", "llama.n_threads": "\(configuration.threads)",
            ]
        )
    }

    deinit {
        llama_batch_free(batch)
        llama_free(context)
    }

    private var memory: OpaquePointer { llama_get_memory(context) }

    /// Runs until the loop is shut down.
    func run() {
        while true {
            let freeSlots = slots.filter { $0.job == nil }.count
            let (admitted, cancelled, stopping, stopRunning) = loop.takeJobs(limit: freeSlots)
            if stopRunning {
                for index in slots.indices where slots[index].job != nil { finish(index, .stop) }
            }
            for job in cancelled { Self.end(job, reason: .cancelled, summary: nil) }
            if stopping {
                for index in slots.indices where slots[index].job != nil { finish(index, .cancelled) }
                return
            }
            for job in admitted { admit(job) }
            for index in slots.indices where slots[index].job?.isCancelled == true { finish(index, .cancelled) }
            loop.setRunning(slots.count { $0.job != nil })
            if slots.allSatisfy({ $0.job == nil }) {
                loop.waitForWork()
                continue
            }
            step()
        }
    }

    // MARK: Admission

    /// Puts a job on the free slot whose cached tokens share the longest prefix with its prompt,
    /// and drops the rest of that slot's KV so only the new suffix is evaluated. With a prompt
    /// cache, a stored prefix longer than any slot's is restored into a slot first, and a slot
    /// about to lose most of its cached tokens is stored before they go.
    private func admit(_ job: GenerationJob) {
        let prompt = job.promptTokens
        let free = slots.indices.filter { slots[$0].job == nil }
        let shared = { (index: Int) in self.slots[index].cachedTokens.commonPrefixLength(with: prompt) }
        var best = free.max { shared($0) < shared($1) }!
        if let match = promptCache.bestMatch(for: prompt, minimum: shared(best) + Self.minimumCachedPrefix) {
            // Restore into the free slot holding the least, after storing what it holds.
            best = free.min { slots[$0].cachedTokens.count < slots[$1].cachedTokens.count }!
            stash(best)
            restore(promptCache.take(match), into: best)
        }
        // At least the last prompt token is evaluated again: its logits give the first token.
        var reused = min(shared(best), prompt.count - 1)
        if reused < slots[best].cachedTokens.count / 2 { stash(best) }
        if !llama_memory_seq_rm(memory, slots[best].id, Int32(reused), -1) {
            llama_memory_seq_rm(memory, slots[best].id, -1, -1)
            reused = 0
        }
        slots[best].start(
            job,
            reusing: reused,
            sampler: SamplerChain(job.request.sampling, model: model.info, vocabulary: model.vocab, contextLength: configuration.contextLength)
        )
    }

    /// Prefixes shorter than this are cheaper to evaluate again than to store and restore.
    private static let minimumCachedPrefix = 64

    /// Copies a slot's KV state into the prompt cache (before the slot is reused for another
    /// prompt).
    private func stash(_ index: Int) {
        let tokens = slots[index].cachedTokens
        guard promptCache.isEnabled, tokens.count >= Self.minimumCachedPrefix else { return }
        let id = slots[index].id
        var state = [UInt8](repeating: 0, count: llama_state_seq_get_size(context, id))
        guard llama_state_seq_get_data(context, &state, state.count, id) == state.count else { return }
        promptCache.insert(tokens: tokens, state: state)
        logger.debug("Prompt cached in RAM", metadata: ["cache.tokens": "\(tokens.count)", "cache.bytes": "\(promptCache.usedBytes)"])
    }

    /// Loads a stored prefix into a slot, replacing what the slot held.
    private func restore(_ entry: PromptCache.Entry, into index: Int) {
        let id = slots[index].id
        llama_memory_seq_rm(memory, id, -1, -1)
        if llama_state_seq_set_data(context, entry.state, entry.state.count, id) > 0 {
            slots[index].cachedTokens = entry.tokens
            logger.debug("Prompt restored from RAM", metadata: ["cache.tokens": "\(entry.tokens.count)"])
        } else {
            llama_memory_seq_rm(memory, id, -1, -1)
            slots[index].cachedTokens = []
        }
    }

    // MARK: One tick

    private func step() {
        batch.n_tokens = 0
        var budget = configuration.batchSize
        for index in slots.indices where slots[index].isGenerating {
            slots[index].batchIndex = add(slots[index].lastToken, position: slots[index].cachedTokens.count, slot: index, logits: true)
            budget -= 1
        }
        for index in slots.indices where slots[index].isEvaluatingPrompt && budget > 0 {
            let chunk = slots[index].nextPromptChunk(limit: budget)
            let isLast = slots[index].promptCursor + chunk.count == slots[index].promptTokens.count
            for (offset, token) in chunk.enumerated() {
                let position = slots[index].cachedTokens.count + offset
                let index32 = add(token, position: position, slot: index, logits: isLast && offset == chunk.count - 1)
                if isLast && offset == chunk.count - 1 { slots[index].batchIndex = index32 }
            }
            slots[index].pendingChunk = chunk.count
            budget -= chunk.count
        }

        let status = llama_decode(context, batch)
        guard status == 0 else {
            failBatch(status)
            return
        }

        let now = ContinuousClock.now
        for index in slots.indices where slots[index].job != nil {
            if slots[index].isGenerating, slots[index].batchIndex >= 0 {
                slots[index].cachedTokens.append(slots[index].lastToken)
            } else if slots[index].pendingChunk > 0 {
                slots[index].commitPromptChunk()
            }
            slots[index].pendingChunk = 0
            let batchIndex = slots[index].batchIndex
            slots[index].batchIndex = -1
            guard batchIndex >= 0, let sampler = slots[index].sampler else { continue }
            if let probe = slots[index].job?.request.probe {
                report(probe, slot: index, batchIndex: batchIndex)
                continue
            }
            let token = sampler.sample(context: context, index: batchIndex)
            handle(token, slot: index, at: now)
        }
    }

    private func add(_ token: Int32, position: Int, slot: Int, logits: Bool) -> Int32 {
        let index = Int(batch.n_tokens)
        batch.token[index] = token
        batch.pos[index] = Int32(position)
        batch.n_seq_id[index] = 1
        batch.seq_id[index]![0] = slots[slot].id
        batch.logits[index] = logits ? 1 : 0
        batch.n_tokens += 1
        return Int32(index)
    }

    /// Answers a probe: the next-token distribution instead of a sampled token.
    private func report(_ probe: DistributionProbe, slot index: Int, batchIndex: Int32) {
        guard let request = slots[index].job?.request else { return }
        let chain =
            probe.applySamplers
            ? SamplerChain(request.sampling, model: model.info, vocabulary: model.vocab, contextLength: configuration.contextLength, picks: false)
            : nil
        slots[index].distribution = TokenProbability.distribution(
            context: context,
            index: batchIndex,
            vocabularySize: model.info.vocabularySize,
            chain: chain,
            top: probe.top
        )
        finish(index, .stop)
    }

    /// Turns a sampled token into output and decides whether the sequence goes on.
    private func handle(_ token: Int32, slot index: Int, at now: ContinuousClock.Instant) {
        slots[index].markSampled(at: now)
        if model.isEndOfGeneration(token) {
            finish(index, .stop)
            return
        }
        slots[index].completionTokens += 1
        let output = slots[index].emit(model.piece(of: token, special: slots[index].job?.request.rendersSpecialTokens ?? false))
        if !output.text.isEmpty, slots[index].job?.continuation.yield(.text(output.text)).isTerminated == true {
            finish(index, .cancelled)
            return
        }
        if output.stopped {
            finish(index, .stop)
        } else if let limit = slots[index].job?.request.maxTokens, slots[index].completionTokens >= limit {
            finish(index, .length)
        } else if slots[index].cachedTokens.count + 1 >= configuration.contextLength {
            finish(index, .length)
        } else {
            slots[index].lastToken = token
        }
    }

    /// Ends the job on a slot: releases held-back text (unless cancelled), sends the summary and
    /// frees the slot. The slot keeps its KV cache for prefix reuse.
    private func finish(_ index: Int, _ reason: StopReason) {
        guard let job = slots[index].job else { return }
        if reason != .cancelled {
            let rest = slots[index].flush()
            if !rest.isEmpty { job.continuation.yield(.text(rest)) }
        }
        let summary = slots[index].summary(reason: reason)
        logger.debug(
            "Generation finished",
            metadata: [
                "gen.reason": "\(reason.rawValue)", "gen.prompt_tokens": "\(summary.promptTokens)",
                "gen.cached_tokens": "\(summary.cachedPromptTokens)", "gen.completion_tokens": "\(summary.completionTokens)",
                "gen.prompt_seconds": "\(summary.promptSeconds)", "gen.generation_seconds": "\(summary.generationSeconds)",
            ]
        )
        Self.end(job, reason: reason, summary: summary)
        slots[index].release()
    }

    static func end(_ job: GenerationJob, reason: StopReason, summary: GenerationSummary?) {
        let summary =
            summary ?? GenerationSummary(reason: reason, promptTokens: job.promptTokens.count, completionTokens: 0)
        job.continuation.yield(.finished(summary))
        job.continuation.finish()
    }

    /// A failed `llama_decode` ends every job that had tokens in the batch with an error; their
    /// KV is dropped. Jobs not in the batch go on.
    private func failBatch(_ status: Int32) {
        logger.error("llama_decode failed", metadata: ["llama.status": "\(status)"])
        for index in slots.indices where slots[index].job != nil && (slots[index].batchIndex >= 0 || slots[index].pendingChunk > 0) {
            let job = slots[index].job!
            llama_memory_seq_rm(memory, slots[index].id, -1, -1)
            slots[index].release()
            slots[index].cachedTokens = []
            job.continuation.finish(throwing: LlamaError.decodeFailed(code: status))
        }
    }
}

extension AsyncThrowingStream.Continuation.YieldResult {
    var isTerminated: Bool {
        if case .terminated = self { return true }
        return false
    }
}

extension Array where Element: Equatable {
    func commonPrefixLength(with other: [Element]) -> Int {
        var length = 0
        while length < count, length < other.count, self[length] == other[length] { length += 1 }
        return length
    }
}
