import Testing

@testable import LlamaEngine

/// The scheduling policy alone: no model, no llama.cpp. The decode loop's part (carrying out
/// steps, sampling) is played by these tests.
@Suite struct SchedulerPolicyTests {
    static func configuration(slots: Int = 4, batch: Int = 2048, prefill: Int = 512, cacheBytes: Int = 0) -> Scheduler.Configuration {
        Scheduler.Configuration(slotCount: slots, batchSize: batch, prefillChunk: prefill, outputLimit: max(slots, 8), promptCacheBytes: cacheBytes)
    }

    static func job(_ id: Int, _ prompt: [Int32], reusesCache: Bool = true, logits: Bool = false) -> Scheduler.Job {
        Scheduler.Job(id: id, prompt: prompt, reusesCache: reusesCache, wantsPromptLogits: logits)
    }

    static func tokens(_ count: Int, from start: Int32 = 1) -> [Int32] { (0..<count).map { start + Int32($0) } }

    /// Runs ticks until every slot is idle or `limit` ticks have passed; each slot samples
    /// `generate` tokens after its prompt, then is released. Returns, per job id, the number of
    /// prompt tokens evaluated (by anyone) before the job's first sample.
    @discardableResult
    static func run(_ scheduler: inout Scheduler, generate: Int = 1, limit: Int = 1000, onTick: (inout Scheduler, Int) -> Void = { _, _ in })
        -> [Int: Int]
    {
        var firstSample: [Int: Int] = [:]
        var evaluated = 0
        var generated: [Int: Int] = [:]
        for tickNumber in 0..<limit {
            onTick(&scheduler, tickNumber)
            guard let tick = scheduler.planTick() else { break }
            evaluated += tick.chunks.reduce(0) { $0 + $1.count }
            let outcome = scheduler.commit(tick)
            for slot in outcome.samples.map(\.slot) {
                let id = scheduler.slots[slot].job!.id
                if firstSample[id] == nil { firstSample[id] = evaluated }
                generated[id, default: 0] += 1
                if generated[id]! >= generate {
                    scheduler.release(slot)
                } else {
                    scheduler.sampled(slot, token: 7)
                }
            }
        }
        return firstSample
    }

    @Test func aJobTakesTheSlotSharingTheLongestPrefixAndReevaluatesItsLastToken() {
        var scheduler = Scheduler(Self.configuration(slots: 3))
        scheduler.slots[0].cachedTokens = [9, 9, 9]
        scheduler.slots[1].cachedTokens = [1, 2, 3, 4, 5]
        scheduler.slots[2].cachedTokens = [1, 2]
        let (steps, slots) = scheduler.admit(Self.job(1, [1, 2, 3, 4, 6]))
        #expect(slots == [1])
        #expect(steps == [.trim(slot: 1, keep: 4)])
        #expect(scheduler.slots[1].cursor == 4)
        #expect(scheduler.slots[1].phase == .evaluatingPrompt)
        // The same prompt again: everything but its last token is reused.
        scheduler.release(1)
        scheduler.slots[1].cachedTokens = [1, 2, 3, 4, 6]
        #expect(scheduler.admit(Self.job(2, [1, 2, 3, 4, 6])).steps == [.trim(slot: 1, keep: 4)])
        // A job that may not reuse the cache (a seed, prompt logprobs) evaluates everything, in
        // the free slot holding the least.
        #expect(scheduler.admit(Self.job(3, [1, 2, 3], reusesCache: false)).steps.last == .trim(slot: 2, keep: 0))
    }

    @Test func aSharedSystemPromptDoesNotCostAConversationItsSlot() {
        var scheduler = Scheduler(Self.configuration(slots: 2))
        let system = Self.tokens(20)
        let conversation = system + Self.tokens(1500, from: 100)
        scheduler.slots[0].cachedTokens = conversation
        // A new conversation shares the system prompt only: it takes the empty slot.
        let (_, slots) = scheduler.admit(Self.job(1, system + Self.tokens(10, from: 5000)))
        #expect(slots == [1])
        // The conversation's next turn finds its history whole.
        let (steps, again) = scheduler.admit(Self.job(2, conversation + Self.tokens(12, from: 9000)))
        #expect(again == [0] && steps == [.trim(slot: 0, keep: conversation.count)])
    }

    @Test func aSlotAboutToLoseItsPrefixIsStashedAndALongerStoredPrefixIsRestored() {
        var scheduler = Scheduler(Self.configuration(slots: 1, cacheBytes: 1 << 20))
        let long = Self.tokens(100)
        scheduler.slots[0].cachedTokens = long
        // An unrelated prompt: the slot's 100 tokens are stored before they go.
        let (steps, _) = scheduler.admit(Self.job(1, Self.tokens(10, from: 500)))
        #expect(steps == [.stash(slot: 0, tokens: long), .trim(slot: 0, keep: 0)])
        scheduler.store(tokens: long, state: [1, 2, 3])
        Self.run(&scheduler)
        // The stored prefix comes back for a prompt that extends it.
        let (again, _) = scheduler.admit(Self.job(2, long + [7, 7]))
        #expect(again == [.restore(slot: 0, tokens: long, state: [1, 2, 3]), .trim(slot: 0, keep: 100)])
        #expect(scheduler.slots[0].cursor == 100)
        #expect(scheduler.promptCache.entries.isEmpty)
        // A failed restore: the slot forgets, and the job evaluates its whole prompt.
        scheduler.forget(0)
        #expect(scheduler.slots[0].cursor == 0)
        #expect(scheduler.slots[0].cachedTokens.isEmpty)
    }

    @Test func followersWaitForTheLeaderAndCopyItsPrompt() {
        var scheduler = Scheduler(Self.configuration(slots: 4))
        let (_, slots) = scheduler.admit(Self.job(1, Self.tokens(10)), followers: [Self.job(2, Self.tokens(10)), Self.job(3, Self.tokens(10))])
        #expect(slots.count == 3)
        let leader = slots[0]
        #expect(slots.dropFirst().allSatisfy { scheduler.slots[$0].phase == .waitingForLeader(leader) })
        let tick = scheduler.planTick()!
        #expect(tick.chunks.map(\.slot) == [leader])
        let outcome = scheduler.commit(tick)
        #expect(outcome.copies.map(\.to) == Array(slots.dropFirst()))
        #expect(Set(outcome.samples.map(\.slot)) == Set(slots))
        #expect(Set(outcome.samples.map(\.batchIndex)) == [9])
        #expect(outcome.samples.allSatisfy { $0.promptDone })
        #expect(slots.allSatisfy { scheduler.slots[$0].phase == .generating && scheduler.slots[$0].cachedTokens.count == 10 })
    }

    @Test func aTickStaysWithinTheBatchAndPrefillBudgets() {
        var scheduler = Scheduler(Self.configuration(slots: 3, batch: 8, prefill: 8))
        _ = scheduler.admit(Self.job(1, [1, 2]))
        _ = scheduler.admit(Self.job(2, [3, 4]))
        let first = scheduler.commit(scheduler.planTick()!)
        for slot in first.samples.map(\.slot) { scheduler.sampled(slot, token: 5) }
        _ = scheduler.admit(Self.job(3, Self.tokens(20)))
        let tick = scheduler.planTick()!
        #expect(tick.tokens.count == 8)
        #expect(tick.decoding.count == 2)
        #expect(tick.chunks == [Scheduler.Tick.Chunk(slot: 2, start: 0, count: 6, batchStart: 2, endsPrompt: false)])
        // Generated tokens go at the next positions of their own sequences.
        #expect(tick.tokens.prefix(2).map(\.position) == [2, 2])
        #expect(tick.tokens.prefix(2).allSatisfy { $0.token == 5 && $0.wantsLogits })
        #expect(tick.tokens.dropFirst(2).allSatisfy { !$0.wantsLogits })
    }

    /// Four equal prompts arriving together: the first answers after its own evaluation, not
    /// after all four (as when every prompt advances in one batch), and the last no later.
    @Test func promptsFinishOneAfterAnotherShortestFirst() {
        var scheduler = Scheduler(Self.configuration(slots: 4))
        for id in 1...4 { _ = scheduler.admit(Self.job(id, Self.tokens(330, from: Int32(id * 1000)))) }
        let firstSample = Self.run(&scheduler, generate: 4)
        // In prompt tokens evaluated before each first token: one prompt's worth, two, three,
        // four; evaluating all four together would make each wait for all 1,320.
        #expect((1...4).map { firstSample[$0]! } == [330, 660, 990, 1320])
        // A shorter prompt that arrives last still goes first.
        var other = Scheduler(Self.configuration(slots: 2))
        _ = other.admit(Self.job(1, Self.tokens(900)))
        _ = other.admit(Self.job(2, Self.tokens(40, from: 5000)))
        let order = Self.run(&other, generate: 1)
        #expect(order[2]! < order[1]!)
    }

    /// A long prompt behind an endless supply of shorter ones still gets evaluated.
    @Test func aLongPromptIsNotStarved() {
        var scheduler = Scheduler(Self.configuration(slots: 2, prefill: 512))
        _ = scheduler.admit(Self.job(1, Self.tokens(2000)))
        var nextID = 2
        let firstSample = Self.run(&scheduler, generate: 1, limit: 200) { scheduler, _ in
            if scheduler.freeSlots > 0 {
                _ = scheduler.admit(Self.job(nextID, Self.tokens(512, from: Int32(10_000 + nextID * 600))))
                nextID += 1
            }
        }
        #expect(firstSample[1] != nil)
        // 2,000 tokens at 512 per tick take 4 ticks of their own; with the shorter prompts going
        // first, every fifth tick at least is the long one's.
        #expect(firstSample[1]! <= 5 * 4 * 512 + 2000)
    }

    @Test func prefillOrderPutsPromptLogprobRequestsLastWithinTheOutputRows() {
        var scheduler = Scheduler(Self.configuration(slots: 2))
        _ = scheduler.admit(Self.job(1, Self.tokens(30), logits: true))
        _ = scheduler.admit(Self.job(2, Self.tokens(50, from: 100)))
        let tick = scheduler.planTick()!
        #expect(tick.chunks.map(\.slot) == [1, 0])
        // 8 logit rows: one reserved for the other prompt, the rest for every token of this one.
        #expect(tick.chunks[1].count == 7)
        #expect(tick.tokens.count { $0.wantsLogits } <= 8)
    }

    @Test func cancellingInEveryPhaseFreesTheSlot() {
        var scheduler = Scheduler(Self.configuration(slots: 3))
        let (_, slots) = scheduler.admit(Self.job(1, Self.tokens(10)), followers: [Self.job(2, Self.tokens(10))])
        #expect(scheduler.followers(of: slots[0]) == [slots[1]])
        // A waiting follower.
        scheduler.release(slots[1])
        #expect(scheduler.slots[slots[1]].phase == .idle)
        // A prompt being evaluated.
        scheduler.release(slots[0])
        #expect(scheduler.planTick() == nil)
        // A generating sequence.
        _ = scheduler.admit(Self.job(3, [1, 2]))
        let outcome = scheduler.commit(scheduler.planTick()!)
        scheduler.sampled(outcome.samples[0].slot, token: 4)
        scheduler.release(outcome.samples[0].slot)
        #expect(scheduler.isIdle)
        #expect(scheduler.planTick() == nil)
    }

    @Test func aFailedDecodeDropsTheJobsInItAndTheirFollowers() {
        var scheduler = Scheduler(Self.configuration(slots: 4))
        let (_, group) = scheduler.admit(Self.job(1, Self.tokens(10)), followers: [Self.job(2, Self.tokens(10))])
        let failed = scheduler.fail(scheduler.planTick()!)
        #expect(Set(failed) == Set(group))
        #expect(group.allSatisfy { scheduler.slots[$0].phase == .idle && scheduler.slots[$0].cachedTokens.isEmpty })
    }
}

/// The inbox's admission limit, without a model.
@Suite struct JobInboxTests {
    static func job() -> (GenerationJob, AsyncThrowingStream<GenerationEvent, any Error>) {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        return (GenerationJob(request: GenerationRequest(prompt: "x", maxTokens: 1), promptTokens: [1], continuation: continuation), stream)
    }

    @Test func theQueueIsBoundedAndADrainRefusesWhatWaits() async throws {
        let inbox = JobInbox(slotCount: 2, maxQueue: 3)
        var jobs: [(GenerationJob, AsyncThrowingStream<GenerationEvent, any Error>)] = []
        // Two for the free slots, three waiting.
        for _ in 0..<5 {
            let pair = Self.job()
            try inbox.submit(pair.0)
            jobs.append(pair)
        }
        #expect(throws: LlamaError.queueFull(limit: 3)) { try inbox.submit(Self.job().0) }
        // A waiting job whose client left makes room at once.
        inbox.cancel(jobs.removeLast().0)
        let replacement = Self.job()
        try inbox.submit(replacement.0)
        jobs.append(replacement)
        // Shutting down: every waiting job fails with 503's reason, and so do new ones.
        inbox.drain()
        #expect(throws: LlamaError.engineStopped) { try inbox.submit(Self.job().0) }
        for (_, stream) in jobs {
            await #expect(throws: LlamaError.engineStopped) { for try await _ in stream {} }
        }
    }
}

/// A sequence whose sampling costs more than its share of the loop's time (a grammar checked
/// against the whole vocabulary) sits out ticks while others decode, and only then.
@Suite struct SamplingShareTests {
    private func generatingScheduler() -> Scheduler {
        var scheduler = Scheduler(SchedulerPolicyTests.configuration(slots: 2))
        for id in 0..<2 {
            _ = scheduler.admit(Scheduler.Job(id: id, prompt: [1, 2, 3], reusesCache: false, wantsPromptLogits: false))
        }
        let tick = scheduler.planTick()!
        _ = scheduler.commit(tick)
        for slot in 0..<2 { scheduler.sampled(slot, token: 7) }
        return scheduler
    }

    @Test func aCostlySamplerSitsOutUntilItsShareIsEarned() throws {
        var scheduler = generatingScheduler()
        scheduler.sampled(1, seconds: 0.1)
        var decodedBySlot = [0, 0]
        for _ in 0..<50 {
            let planned = scheduler.planTick()
            let tick = try #require(planned)
            for logits in tick.decoding { decodedBySlot[logits.slot] += 1 }
            scheduler.timed(tick, seconds: 0.04)
            _ = scheduler.commit(tick)
            for logits in tick.decoding {
                scheduler.sampled(logits.slot, token: 7)
                scheduler.sampled(logits.slot, seconds: logits.slot == 1 ? 0.1 : 0.001)
            }
        }
        // Slot 1 pays 0.1 s a token and earns 0.2 × 0.04 s a tick: one tick in about thirteen.
        #expect(decodedBySlot[0] == 50)
        #expect((3...5).contains(decodedBySlot[1]), "\(decodedBySlot)")
    }

    @Test func aCostlySamplerAloneRunsEveryTick() throws {
        var scheduler = generatingScheduler()
        scheduler.release(0)
        scheduler.sampled(1, seconds: 10)
        let planned = scheduler.planTick()
        let tick = try #require(planned)
        #expect(tick.decoding.map(\.slot) == [1])
    }
}
