import CLlama
import Foundation
import Logging
import Synchronization

/// The decode loop: it lives on its own thread and owns the llama context, the batch and each
/// slot's output; nothing else touches them. It carries out what the ``Scheduler`` decides.
///
/// Each tick it takes new jobs from the ``JobInbox``, asks the scheduler for a batch (the next
/// token of every generating sequence plus prompt chunks), calls `llama_decode` once, and
/// samples every sequence whose logits are in the batch.
final class DecodeLoop {
    private let model: LlamaModel
    private let configuration: EngineConfiguration
    private let inbox: JobInbox
    /// Turns with side work (embedding passes) on the same CPU.
    private let turns = ComputeTurns.shared
    private let logger: Logger
    private let context: OpaquePointer
    private var batch: llama_batch
    private var scheduler: Scheduler
    /// The job on each slot and what it has produced: the I/O half of a slot (its stream, its
    /// sampler's C state), kept apart from ``Scheduler``'s slots so that the scheduler stays a
    /// pure value tested without a model. The two are set together in `admit` and cleared
    /// together in `finish` and `fail`, nowhere else.
    private var outputs: [SequenceOutput?]
    private var nextJobID = 0
    /// The adapters set on the context (held here, so that none is freed while set).
    private var adapters = AdapterSet()

    /// Creates the llama context on a new thread (`hearth-decode`) and runs the loop there until
    /// the inbox shuts down.
    /// - Throws: ``LlamaError/contextCreationFailed(contextSize:)`` or
    ///   ``LlamaError/invalidConfiguration(_:)`` when the context cannot be made.
    static func start(model: LlamaModel, configuration: EngineConfiguration, inbox: JobInbox, logger: Logger) throws(LlamaError) {
        let started = Mutex<Result<Void, LlamaError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let handoff = ModelHandoff(model)
        let thread = Thread {
            run(handoff, configuration: configuration, inbox: inbox, logger: logger) { result in
                started.withLock { $0 = result }
                ready.signal()
            }
            // The loop, its context and its hold on the model are gone by now: a caller waiting
            // for the exit (an unload) finds the memory freed.
            inbox.exited.signal()
        }
        thread.name = "hearth-decode"
        thread.stackSize = 8 << 20
        thread.start()
        ready.wait()
        if case .failure(let error) = started.withLock({ $0 }) { throw error }
    }

    /// The thread's body: makes the loop, reports whether that worked, and runs it until the
    /// inbox shuts down. Everything it made is released when it returns.
    private static func run(
        _ handoff: ModelHandoff,
        configuration: EngineConfiguration,
        inbox: JobInbox,
        logger: Logger,
        report: (Result<Void, LlamaError>) -> Void
    ) {
        let loop: DecodeLoop
        do throws(LlamaError) {
            loop = try DecodeLoop(model: handoff.take(), configuration: configuration, inbox: inbox, logger: logger)
        } catch {
            report(.failure(error))
            return
        }
        report(.success(()))
        loop.run()
    }

    private init(model: LlamaModel, configuration: EngineConfiguration, inbox: JobInbox, logger: Logger) throws(LlamaError) {
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
        // Speculating sequences ask for a row per drafted token too.
        let outputLimit = max(configuration.parallel * (1 + configuration.speculation.maxDraft), 8)
        params.n_outputs_max = try LlamaCall.uint32(outputLimit, "outputs")
        params.n_threads = try LlamaCall.int32(configuration.threads, "--threads")
        params.n_threads_batch = params.n_threads
        let batchCapacity = try LlamaCall.int32(configuration.batchSize, "--batch-size")
        params.kv_unified = true
        params.no_perf = true
        if let flash = configuration.flashAttention {
            params.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED
        }
        guard let context = model.withAdapterLock({ llama_init_from_model(model.pointer, params) }) else {
            throw .contextCreationFailed(contextSize: totalContext.partialValue)
        }
        self.model = model
        self.configuration = configuration
        self.inbox = inbox
        self.logger = logger
        self.context = context
        batch = llama_batch_init(batchCapacity, 0, 1)
        scheduler = Scheduler(
            Scheduler.Configuration(
                slotCount: configuration.parallel,
                batchSize: configuration.batchSize,
                prefillChunk: configuration.microBatchSize,
                outputLimit: outputLimit,
                promptCacheBytes: configuration.promptCacheBytes,
                contextLength: configuration.contextLength
            )
        )
        outputs = Array(repeating: nil, count: configuration.parallel)
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

    /// Runs until the inbox shuts down.
    func run() {
        var busy = false
        defer { if busy { turns.setBusy(false) } }
        while true {
            let (admitted, cancelled, stopping, stopRunning) = inbox.takeJobs(limit: scheduler.freeSlots)
            if stopRunning {
                let reason: StopReason = inbox.isDraining ? .interrupted : .stop
                for index in outputs.indices where outputs[index] != nil { finish(index, reason) }
            }
            for job in cancelled { Self.end(job, reason: .cancelled, summary: nil) }
            if stopping {
                for index in outputs.indices where outputs[index] != nil { finish(index, .cancelled) }
                return
            }
            for job in admitted { admit(job) }
            for index in outputs.indices where outputs[index]?.job.isCancelled == true { finish(index, .cancelled) }
            inbox.publish(running: scheduler.busySlots, kvCellsUsed: scheduler.slots.reduce(0) { $0 + $1.cachedTokens.count })
            guard let tick = scheduler.planTick() else {
                if busy { turns.setBusy(false) }
                busy = false
                inbox.waitForWork()
                continue
            }
            if !busy { turns.setBusy(true) }
            busy = true
            run(tick)
        }
    }

    // MARK: Admission

    /// Puts a job and its further choices on slots, as the scheduler chooses, and carries out
    /// the KV steps that takes.
    private func admit(_ job: GenerationJob) {
        let (steps, slots) = scheduler.admit(schedulingJob(job), followers: job.followers.map(schedulingJob))
        for step in steps { carryOut(step) }
        for (member, index) in zip(job.group, slots) {
            let sampler = SamplerChain(
                member.request.sampling,
                model: model.info,
                vocabulary: model.vocab,
                contextLength: configuration.contextLength
            )
            outputs[index] = SequenceOutput(
                job: member,
                sampler: sampler,
                reusedTokens: scheduler.slots[index].reused,
                contextLength: configuration.contextLength
            )
        }
    }

    private func schedulingJob(_ job: GenerationJob) -> Scheduler.Job {
        nextJobID += 1
        // Prompt logprobs need logits for every prompt token: nothing cached can be reused. A
        // seeded request evaluates its whole prompt too: logits of a token evaluated alone differ
        // in their last bits from the same token in a prompt batch, enough to change a sampled
        // token, and the same seed must give the same text whatever the cache holds.
        // A seeded sampled request does not speculate either: verifying a draft evaluates its
        // tokens in a batch of several, which rounds their logits differently from one at a time,
        // and a draw near a boundary between two tokens can go the other way. Greedy picks do not
        // move with rounding (short of an exact tie).
        let sampling = job.request.sampling
        let speculates = job.request.speculative && job.request.probe == nil && (sampling.seed == nil || sampling.isGreedy)
        return Scheduler.Job(
            id: nextJobID,
            prompt: job.promptTokens,
            reusesCache: !job.request.promptLogprobs && job.request.sampling.seed == nil,
            wantsPromptLogits: job.request.promptLogprobs,
            adapters: job.request.adapters.key,
            speculation: speculates ? configuration.speculation : .off,
            prediction: job.predictionTokens,
            maxTokens: job.request.maxTokens
        )
    }

    private func carryOut(_ step: Scheduler.CacheStep) {
        switch step {
        case .stash(let index, let tokens, let adapters):
            let id = Int32(index)
            var state = [UInt8](repeating: 0, count: llama_state_seq_get_size(context, id))
            guard llama_state_seq_get_data(context, &state, state.count, id) == state.count else { return }
            scheduler.store(tokens: tokens, state: state, adapters: adapters)
            logger.debug("Prompt cached in RAM", metadata: ["cache.tokens": "\(tokens.count)", "cache.bytes": "\(scheduler.promptCache.usedBytes)"])
        case .restore(let index, let tokens, let state):
            let id = Int32(index)
            llama_memory_seq_rm(memory, id, -1, -1)
            if llama_state_seq_set_data(context, state, state.count, id) > 0 {
                logger.debug("Prompt restored from RAM", metadata: ["cache.tokens": "\(tokens.count)"])
            } else {
                llama_memory_seq_rm(memory, id, -1, -1)
                scheduler.forget(index)
            }
        case .trim(let index, let keep):
            if !llama_memory_seq_rm(memory, Int32(index), Int32(clamping: keep), -1) {
                llama_memory_seq_rm(memory, Int32(index), -1, -1)
                scheduler.forget(index)
            }
        }
    }

    // MARK: One tick

    private func run(_ tick: Scheduler.Tick) {
        batch.n_tokens = 0
        for token in tick.tokens {
            let index = Int(batch.n_tokens)
            batch.token[index] = token.token
            batch.pos[index] = Int32(clamping: token.position)
            batch.n_seq_id[index] = 1
            batch.seq_id[index]![0] = Int32(token.slot)
            batch.logits[index] = token.wantsLogits ? 1 : 0
            batch.n_tokens += 1
        }
        // The decode's own time, without a wait for side work's turn: it teaches the verify cost.
        let decode = { () throws(LlamaError) -> Double in
            try self.turns.tick(decodeOnly: tick.chunks.isEmpty) { () throws(LlamaError) in
                // A lost RPC worker may fail the decode or leave zeros in its outputs: either
                // way the tick is void, and the error names the worker.
                do throws(LlamaError) { try LlamaCall.decode(self.context, self.batch) } catch {
                    try self.model.checkWorkers()
                    throw error
                }
                try self.model.checkWorkers()
            }
            .seconds
        }
        let seconds: Double
        do throws(LlamaError) {
            if tick.adapters != adapters.key, let slot = tick.tokens.first?.slot, let wanted = outputs[slot]?.request.adapters {
                // The context rebuilds its graph on the next decode, reading the model's adapter
                // registry: hold the model's adapter lock through it.
                seconds = try model.withAdapterLock { () throws(LlamaError) in
                    LlamaCall.setAdapters(context, wanted)
                    return try decode()
                }
                adapters = wanted
            } else {
                seconds = try decode()
            }
            logger.debug(
                "Tick decoded",
                metadata: [
                    "tick.tokens": "\(tick.tokens.count)", "tick.prompt_chunks": "\(tick.chunks.map(\.count))",
                    "tick.seconds": "\(seconds)",
                ]
            )
        } catch {
            fail(tick, error)
            return
        }
        let now = ContinuousClock.now
        scheduler.timed(tick, seconds: seconds)
        let outcome = scheduler.commit(tick)
        for chunk in tick.chunks {
            inbox.countEvaluated(chunk.count)
            if outputs[chunk.slot]?.request.promptLogprobs == true { measurePrompt(chunk) }
        }
        for copy in outcome.copies {
            llama_memory_seq_cp(memory, Int32(copy.from), Int32(copy.to), -1, -1)
            let promptLogprobs = outputs[copy.from]?.promptLogprobs ?? []
            outputs[copy.to]?.promptLogprobs = promptLogprobs
        }
        for sampling in outcome.samples where outputs[sampling.slot] != nil {
            if let probe = outputs[sampling.slot]?.request.probe {
                report(probe, slot: sampling.slot, batchIndex: Int32(sampling.batchIndex))
            } else {
                let started = ContinuousClock.now
                sample(sampling, at: now)
                if outputs[sampling.slot] != nil { scheduler.sampled(sampling.slot, seconds: (ContinuousClock.now - started).inSeconds) }
            }
        }
    }

    /// Samples a slot's next token; right after the prompt, reports the prompt's logprobs first,
    /// and ends a job that asked for no new tokens. With a draft, verifies it: while the token
    /// sampled equals the next drafted one, that one is kept and the row after it sampled, so
    /// the tokens are exactly those sampling one at a time would give.
    private func sample(_ sampling: Scheduler.Outcome.Sample, at now: ContinuousClock.Instant) {
        let index = sampling.slot
        guard let output = outputs[index] else { return }
        if sampling.promptDone, output.request.promptLogprobs {
            output.job.continuation.yield(.promptLogprobs(output.promptLogprobs))
        }
        if sampling.promptDone, let reason = output.stopPolicy.endsBeforeSampling {
            finish(index, reason)
            return
        }
        let draft = sampling.draft
        var accepted = 0
        var ending: StopReason?
        while ending == nil {
            let batchIndex = Int32(sampling.batchIndex + accepted)
            guard let token = output.sampler.sample(context: context, index: batchIndex, vocabularySize: model.info.vocabularySize) else {
                ending = .stop
                break
            }
            ending = handle(
                token,
                slot: index,
                batchIndex: batchIndex,
                cachedTokens: scheduler.slots[index].cachedTokens.count - draft.count + accepted,
                at: now
            )
            guard ending == nil else { break }
            if accepted < draft.count, token == draft[accepted] {
                accepted += 1
            } else {
                scheduler.sampled(index, token: token)
                break
            }
        }
        if !draft.isEmpty, let keep = scheduler.verified(index, draft: draft, accepted: accepted) {
            if !llama_memory_seq_rm(memory, Int32(index), Int32(clamping: keep), -1) {
                // A failed partial removal leaves no trustworthy cell of this sequence.
                llama_memory_seq_rm(memory, Int32(index), -1, -1)
                scheduler.forget(index)
                ending = ending ?? .stop
            }
        }
        outputs[index]?.speculation = scheduler.slots[index].speculator?.counts
        if let ending { finish(index, ending) }
    }

    /// Records the log probability of every prompt token a chunk's logits predict.
    private func measurePrompt(_ chunk: Scheduler.Tick.Chunk) {
        guard var output = outputs[chunk.slot] else { return }
        let prompt = output.job.promptTokens
        let top = output.request.logprobs ?? 0
        if chunk.start == 0 {
            output.promptLogprobs.append(TokenLogprob(token: prompt[0], bytes: model.piece(of: prompt[0], special: true), logprob: nil, top: []))
        }
        for offset in 0..<chunk.count where chunk.start + offset + 1 < prompt.count {
            let token = prompt[chunk.start + offset + 1]
            output.promptLogprobs.append(
                TokenLogprob.measure(
                    token,
                    bytes: model.piece(of: token, special: true),
                    context: context,
                    index: Int32(chunk.batchStart + offset),
                    top: top,
                    model: model
                )
            )
        }
        outputs[chunk.slot] = output
    }

    /// Answers a probe: the next-token distribution instead of a sampled token.
    private func report(_ probe: DistributionProbe, slot index: Int, batchIndex: Int32) {
        guard let request = outputs[index]?.request else { return }
        let chain =
            probe.applySamplers
            ? SamplerChain(request.sampling, model: model.info, vocabulary: model.vocab, contextLength: configuration.contextLength, picks: false)
            : nil
        outputs[index]?.distribution = TokenProbability.distribution(
            context: context,
            index: batchIndex,
            vocabularySize: model.info.vocabularySize,
            chain: chain,
            top: probe.top
        )
        finish(index, .stop)
    }

    /// Turns a sampled token into output; ``StopPolicy`` decides whether the sequence goes on.
    /// - Parameter cachedTokens: tokens of the sequence in the KV cache before this one.
    /// - Returns: why the sequence ends with this token, or nil when it goes on.
    private func handle(_ token: Int32, slot index: Int, batchIndex: Int32, cachedTokens: Int, at now: ContinuousClock.Instant) -> StopReason? {
        guard var output = outputs[index] else { return .cancelled }
        output.markSampled(at: now)
        var sampled = StopPolicy.Token(completionTokens: output.completionTokens, cachedTokens: cachedTokens)
        if model.isEndOfGeneration(token) {
            sampled.endsGeneration = true
            outputs[index] = output
            return output.stopPolicy.reason(after: sampled)
        }
        output.completionTokens += 1
        sampled.completionTokens = output.completionTokens
        let bytes = model.piece(of: token, special: output.request.rendersSpecialTokens)
        let logprob = output.request.logprobs.map { top in
            TokenLogprob.measure(token, bytes: bytes, context: context, index: batchIndex, top: top, model: model)
        }
        let (emitted, logprobs) = output.emit(bytes, logprob: logprob)
        outputs[index] = output
        if !logprobs.isEmpty { output.job.continuation.yield(.logprobs(logprobs)) }
        sampled.consumerGone = !emitted.text.isEmpty && output.job.continuation.yield(.text(emitted.text)).isTerminated
        sampled.metStopString = emitted.stopped
        return output.stopPolicy.reason(after: sampled)
    }

    /// Ends the job on a slot: releases held-back text (unless cancelled), sends the summary and
    /// frees the slot. The slot keeps its KV cache for prefix reuse.
    private func finish(_ index: Int, _ reason: StopReason) {
        guard var output = outputs[index] else { return }
        // Followers still waiting for this slot's prompt end with it.
        for follower in scheduler.followers(of: index) { finish(follower, reason) }
        if reason != .cancelled {
            let rest = output.flush()
            if !rest.logprobs.isEmpty { output.job.continuation.yield(.logprobs(rest.logprobs)) }
            if !rest.text.isEmpty { output.job.continuation.yield(.text(rest.text)) }
        }
        let summary = output.summary(reason: reason)
        logger.debug(
            "Generation finished",
            metadata: [
                "gen.reason": "\(reason.rawValue)", "gen.prompt_tokens": "\(summary.promptTokens)",
                "gen.cached_tokens": "\(summary.cachedPromptTokens)", "gen.completion_tokens": "\(summary.completionTokens)",
                "gen.prompt_seconds": "\(summary.promptSeconds)", "gen.generation_seconds": "\(summary.generationSeconds)",
                "gen.drafted_tokens": "\(summary.speculation?.drafted ?? 0)", "gen.accepted_tokens": "\(summary.speculation?.accepted ?? 0)",
            ]
        )
        Self.end(output.job, reason: reason, summary: summary)
        outputs[index] = nil
        scheduler.release(index)
    }

    static func end(_ job: GenerationJob, reason: StopReason, summary: GenerationSummary?) {
        if reason == .interrupted {
            job.continuation.finish(throwing: LlamaError.interrupted)
            return
        }
        let summary = summary ?? GenerationSummary(reason: reason, promptTokens: job.promptTokens.count, completionTokens: 0)
        job.continuation.yield(.finished(summary))
        job.continuation.finish()
    }

    /// A failed `llama_decode` ends every job that had tokens in the batch with an error; their
    /// KV is dropped. Jobs not in the batch go on.
    private func fail(_ tick: Scheduler.Tick, _ error: LlamaError) {
        logger.error("llama_decode failed", metadata: ["llama.error": "\(error)"])
        for index in scheduler.fail(tick) {
            llama_memory_seq_rm(memory, Int32(index), -1, -1)
            outputs[index]?.job.continuation.finish(throwing: error)
            outputs[index] = nil
        }
    }
}

extension AsyncThrowingStream.Continuation.YieldResult {
    var isTerminated: Bool {
        if case .terminated = self { return true }
        return false
    }
}

/// Hands the model to the decode thread once, so that the thread's closure keeps no reference
/// to it after the loop ends (the closure outlives the loop by an unknown while).
private final class ModelHandoff: Sendable {
    private let model: Mutex<LlamaModel?>

    init(_ model: LlamaModel) { self.model = Mutex(model) }

    /// The model; called once, on the decode thread.
    func take() -> LlamaModel {
        model.withLock { model in
            defer { model = nil }
            return model!
        }
    }
}
