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
    /// Logit rows one `llama_decode` may ask for (llama.cpp's `n_outputs_max`).
    private let outputLimit: Int

    init(model: LlamaModel, configuration: EngineConfiguration, loop: DecodeLoop, logger: Logger) throws(LlamaError) {
        var params = llama_context_default_params()
        let totalContext = configuration.contextLength.multipliedReportingOverflow(by: configuration.parallel)
        guard !totalContext.overflow else { throw .invalidConfiguration("--ctx-size × --parallel does not fit in memory") }
        params.n_ctx = try LlamaCall.uint32(totalContext.partialValue, "context (--ctx-size × --parallel)")
        params.n_batch = try LlamaCall.uint32(configuration.batchSize, "--batch-size")
        params.n_ubatch = try LlamaCall.uint32(configuration.microBatchSize, "--ubatch-size")
        params.n_seq_max = try LlamaCall.uint32(configuration.parallel, "--parallel")
        // Each tick asks for logits of one token per sequence, plus a few prompt tokens when a
        // request wants prompt logprobs. Telling llama.cpp so keeps its compute buffer from
        // reserving a vocabulary-sized row for every token of a micro-batch (151,936 floats each
        // for Qwen2.5: 300 MiB at 512 tokens).
        let outputLimit = max(configuration.parallel, 8)
        params.n_outputs_max = try LlamaCall.uint32(outputLimit, "outputs")
        params.n_threads = try LlamaCall.int32(configuration.threads, "--threads")
        params.n_threads_batch = params.n_threads
        let batchCapacity = try LlamaCall.int32(configuration.batchSize, "--batch-size")
        params.kv_unified = true
        params.no_perf = true
        guard let context = llama_init_from_model(model.pointer, params) else {
            throw .contextCreationFailed(contextSize: totalContext.partialValue)
        }
        self.model = model
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.context = context
        self.outputLimit = outputLimit
        batch = llama_batch_init(batchCapacity, 0, 1)
        slots = (0..<configuration.parallel).map { SequenceSlot(id: Int32($0)) }
        promptCache = PromptCache(capacityBytes: configuration.promptCacheBytes)
        logger.info(
            "Decode loop ready",
            metadata: [
                "llama.n_ctx": "\(totalContext.partialValue)", "llama.n_seq": "\(configuration.parallel)",
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
        // Prompt logprobs need logits for every prompt token: nothing cached can be reused. A
        // seeded request evaluates its whole prompt too: logits of a token evaluated alone differ
        // in their last bits from the same token in a prompt batch, enough to change a sampled
        // token, and the same seed must give the same text whatever the cache holds.
        let reusesCache = !job.request.promptLogprobs && job.request.sampling.seed == nil
        let free = slots.indices.filter { slots[$0].job == nil }
        let shared = { (index: Int) in reusesCache ? self.slots[index].cachedTokens.commonPrefixLength(with: prompt) : 0 }
        var best = free.max { shared($0) < shared($1) }!
        if reusesCache, let match = promptCache.bestMatch(for: prompt, minimum: shared(best) + Self.minimumCachedPrefix) {
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
        slots[best].start(job, reusing: reused, sampler: makeSampler(job))
        for follower in job.followers { admit(follower, following: best) }
    }

    /// Puts a further choice of a multi-choice job on the free slot holding the least, to wait
    /// for its leader's prompt evaluation (see ``adoptLeaderPrompt(_:)``).
    private func admit(_ follower: GenerationJob, following leader: Int) {
        let index = slots.indices.filter { slots[$0].job == nil }.min { slots[$0].cachedTokens.count < slots[$1].cachedTokens.count }!
        stash(index)
        llama_memory_seq_rm(memory, slots[index].id, -1, -1)
        slots[index].start(follower, reusing: 0, sampler: makeSampler(follower))
        slots[index].leader = leader
    }

    private func makeSampler(_ job: GenerationJob) -> SamplerChain {
        SamplerChain(job.request.sampling, model: model.info, vocabulary: model.vocab, contextLength: configuration.contextLength)
    }

    /// Copies a leader's freshly evaluated prompt (its KV cells and prompt logprobs) to the slots
    /// following it, which then sample from the leader's logits like the leader.
    private func adoptLeaderPrompt(_ leader: Int) -> [Int] {
        let followers = slots.indices.filter { slots[$0].leader == leader && slots[$0].job != nil }
        for index in followers {
            llama_memory_seq_cp(memory, slots[leader].id, slots[index].id, -1, -1)
            slots[index].adoptPrompt(cachedTokens: slots[leader].cachedTokens, promptLogprobs: slots[leader].promptLogprobs)
        }
        return followers
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
        // Every prompt being evaluated may need one logit row for its last token; prompts that
        // want logprobs for all their tokens get the rows left over, after the others.
        let evaluating = slots.indices.filter { slots[$0].isEvaluatingPrompt }
        var outputs = Int(batch.n_tokens) + evaluating.count
        let ordered = evaluating.filter { !slots[$0].wantsPromptLogprobs } + evaluating.filter { slots[$0].wantsPromptLogprobs }
        for index in ordered where budget > 0 {
            let allLogits = slots[index].wantsPromptLogprobs
            // This slot's own reserved row is part of what it may use.
            let limit = allLogits ? min(budget, outputLimit - outputs + 1) : budget
            guard limit > 0 else { continue }
            let chunk = slots[index].nextPromptChunk(limit: limit)
            let isLast = slots[index].promptCursor + chunk.count == slots[index].promptTokens.count
            slots[index].chunkStart = batch.n_tokens
            for (offset, token) in chunk.enumerated() {
                let position = slots[index].cachedTokens.count + offset
                let isFinal = isLast && offset == chunk.count - 1
                let index32 = add(token, position: position, slot: index, logits: allLogits || isFinal)
                if isFinal { slots[index].batchIndex = index32 }
            }
            if allLogits { outputs += chunk.count - 1 }
            slots[index].pendingChunk = chunk.count
            budget -= chunk.count
        }

        do throws(LlamaError) {
            try LlamaCall.decode(context, batch)
        } catch {
            failBatch(error)
            return
        }

        let now = ContinuousClock.now
        for index in slots.indices where slots[index].job != nil {
            let finishesPrompt = slots[index].isEvaluatingPrompt
            if slots[index].isGenerating, slots[index].batchIndex >= 0 {
                slots[index].cachedTokens.append(slots[index].lastToken)
            } else if slots[index].pendingChunk > 0 {
                if slots[index].wantsPromptLogprobs { measurePromptChunk(index) }
                loop.countEvaluated(slots[index].pendingChunk)
                slots[index].commitPromptChunk()
            }
            slots[index].pendingChunk = 0
            let batchIndex = slots[index].batchIndex
            slots[index].batchIndex = -1
            guard batchIndex >= 0, slots[index].job != nil else { continue }
            if let probe = slots[index].job?.request.probe {
                report(probe, slot: index, batchIndex: batchIndex)
                continue
            }
            let choices = finishesPrompt ? [index] + adoptLeaderPrompt(index) : [index]
            for choice in choices { sampleFirst(choice, batchIndex: batchIndex, promptDone: finishesPrompt, at: now) }
        }
    }

    /// Samples a slot's next token from the logits at `batchIndex`; right after the prompt,
    /// reports the prompt's logprobs first, and ends a job that asked for no new tokens.
    private func sampleFirst(_ index: Int, batchIndex: Int32, promptDone: Bool, at now: ContinuousClock.Instant) {
        guard let job = slots[index].job, let sampler = slots[index].sampler else { return }
        if promptDone, job.request.promptLogprobs {
            job.continuation.yield(.promptLogprobs(slots[index].promptLogprobs))
        }
        if job.request.maxTokens == 0 {
            finish(index, .length)
            return
        }
        let token = sampler.sample(context: context, index: batchIndex)
        handle(token, slot: index, batchIndex: batchIndex, at: now)
    }

    /// Records the log probability of every prompt token the current chunk's logits predict.
    private func measurePromptChunk(_ index: Int) {
        let prompt = slots[index].promptTokens
        let start = slots[index].promptCursor
        let top = slots[index].job?.request.logprobs ?? 0
        if start == 0 {
            slots[index].promptLogprobs.append(
                TokenLogprob(token: prompt[0], bytes: model.piece(of: prompt[0], special: true), logprob: nil, top: [])
            )
        }
        for offset in 0..<slots[index].pendingChunk where start + offset + 1 < prompt.count {
            let token = prompt[start + offset + 1]
            slots[index].promptLogprobs.append(
                TokenLogprob.measure(
                    token,
                    bytes: model.piece(of: token, special: true),
                    context: context,
                    index: slots[index].chunkStart + Int32(offset),
                    top: top,
                    model: model
                )
            )
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
    private func handle(_ token: Int32, slot index: Int, batchIndex: Int32, at now: ContinuousClock.Instant) {
        guard let request = slots[index].job?.request else { return }
        slots[index].markSampled(at: now)
        if model.isEndOfGeneration(token) {
            finish(index, .stop)
            return
        }
        slots[index].completionTokens += 1
        let bytes = model.piece(of: token, special: request.rendersSpecialTokens)
        let logprob = request.logprobs.map { top in
            TokenLogprob.measure(token, bytes: bytes, context: context, index: batchIndex, top: top, model: model)
        }
        let (output, logprobs) = slots[index].emit(bytes, logprob: logprob)
        if !logprobs.isEmpty { slots[index].job?.continuation.yield(.logprobs(logprobs)) }
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
        // Followers still waiting for this slot's prompt end with it.
        for follower in slots.indices where slots[follower].leader == index && slots[follower].job != nil {
            finish(follower, reason)
        }
        if reason != .cancelled {
            let rest = slots[index].flush()
            if !rest.logprobs.isEmpty { job.continuation.yield(.logprobs(rest.logprobs)) }
            if !rest.text.isEmpty { job.continuation.yield(.text(rest.text)) }
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
    private func failBatch(_ error: LlamaError) {
        logger.error("llama_decode failed", metadata: ["llama.error": "\(error)"])
        let failed = slots.indices.filter { slots[$0].job != nil && (slots[$0].batchIndex >= 0 || slots[$0].pendingChunk > 0) }
        let waiting = slots.indices.filter { slots[$0].job != nil && slots[$0].leader.map(failed.contains) == true }
        for index in failed + waiting {
            let job = slots[index].job!
            llama_memory_seq_rm(memory, slots[index].id, -1, -1)
            slots[index].release()
            slots[index].cachedTokens = []
            job.continuation.finish(throwing: error)
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
