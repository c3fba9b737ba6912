import Foundation
import Testing

@testable import LlamaEngine

/// Speculative decoding by prompt lookup: drafting and its adaptation as pure values, then the
/// promise that matters on the real model: the output is the same with speculation on and off.
@Suite struct PromptLookupTests {
    @Test func draftsWhatFollowedTheLongestEarlierMatch() {
        // "5 6" occurs earlier followed by 7 8 9; "4 5 6" too, once, followed by 7 8.
        let history: [Int32] = [1, 4, 5, 6, 7, 8, 2, 5, 6, 9, 3, 4, 5, 6]
        let draft = PromptLookup.draft(history: history, ngram: 2...3, limit: 4)
        #expect(draft == .init(tokens: [7, 8, 2, 5], fromPrediction: false, end: 8, matched: 3))
    }

    @Test func prefersTheMostRecentOccurrence() {
        let history: [Int32] = [5, 6, 1, 5, 6, 2, 5, 6]
        #expect(PromptLookup.draft(history: history, ngram: 2...2, limit: 3)?.tokens == [2, 5, 6])
    }

    @Test func noMatchNoDraft() {
        #expect(PromptLookup.draft(history: [1, 2, 3, 4], ngram: 2...4, limit: 4) == nil)
        #expect(PromptLookup.draft(history: [1, 2, 1, 2], ngram: 2...4, limit: 0) == nil)
        #expect(PromptLookup.draft(history: [1], ngram: 2...4, limit: 4) == nil)
    }

    @Test func thePredictionComesFirstFromItsCursor() {
        let prediction: [Int32] = [7, 8, 1, 7, 8, 2, 3]
        let draft = PromptLookup.draft(history: [9, 7, 8], prediction: prediction, predictionCursor: 2, ngram: 2...2, limit: 8)
        #expect(draft == .init(tokens: [2, 3], fromPrediction: true, end: 7, matched: 2))
        // Before the cursor only when nothing after it matches.
        let earlier = PromptLookup.draft(history: [9, 7, 8], prediction: prediction, predictionCursor: 6, ngram: 2...2, limit: 1)
        #expect(earlier == .init(tokens: [2], fromPrediction: true, end: 6, matched: 2))
    }
}

@Suite struct SpeculatorTests {
    /// Its last tokens match 6 earlier ones (a short match), followed there by 11, 12, …
    private let copied: [Int32] = Array(1...40) + [99] + Array(5...10)
    private let settings = SpeculationSettings(maxDraft: 16, ngramMin: 2, ngramMax: 4)

    @Test func theDraftLengthWeighsAcceptanceAgainstCost() {
        #expect(Speculator.bestLength(acceptance: 0.98, costPerToken: 0.3, limit: 16) >= 8)
        #expect(Speculator.bestLength(acceptance: 0.98, costPerToken: 0.3, limit: 3) == 3)
        let cheap = Speculator.bestLength(acceptance: 0.8, costPerToken: 0.1, limit: 16)
        let dear = Speculator.bestLength(acceptance: 0.8, costPerToken: 0.5, limit: 16)
        #expect(cheap > dear && dear > 0)
        // A draft that does not beat one step is not made.
        #expect(Speculator.bestLength(acceptance: 0.3, costPerToken: 0.35, limit: 16) == 0)
        #expect(Speculator.bestLength(acceptance: 0.99, costPerToken: 0.3, limit: 0) == 0)
    }

    @Test func acceptedDraftsGrowAndMissesStopDrafting() {
        var speculator = Speculator(settings: settings)
        let first = speculator.draft(history: copied, limit: 64)
        #expect(!first.isEmpty && first == Array(11...(10 + Int32(first.count))))
        for _ in 0..<6 {
            let draft = speculator.draft(history: copied, limit: 64)
            speculator.verified(accepted: draft.count)
        }
        #expect(speculator.acceptance > 0.9)
        #expect(speculator.draft(history: copied, limit: 64).count > first.count)
        var misses = 0
        while !speculator.draft(history: copied, limit: 64).isEmpty, misses < 20 {
            speculator.verified(accepted: 0)
            misses += 1
        }
        #expect(misses > 1 && misses < 20)
        // Without drafts, what was learnt fades: a short draft is tried again later.
        var ticks = 0
        while speculator.draft(history: copied, limit: 64).isEmpty, ticks < 500 { ticks += 1 }
        #expect(ticks > 5 && ticks < 500)
    }

    @Test func aLongMatchDraftsMoreThanAShortOne() {
        var fresh = Speculator(settings: settings)
        let long = fresh.draft(history: Array(1...40) + Array(1...12), limit: 64)
        var other = Speculator(settings: settings)
        let short = other.draft(history: copied, limit: 64)
        #expect(long.count > short.count && !short.isEmpty)
    }

    @Test func predictionCountsAreKeptApart() {
        var speculator = Speculator(settings: SpeculationSettings(maxDraft: 16, ngramMin: 2, ngramMax: 2), prediction: [1, 2, 3, 4, 5, 6])
        #expect(speculator.draft(history: [9, 1, 2], limit: 64) == [3, 4, 5, 6])
        speculator.verified(accepted: 2)
        #expect(speculator.counts == SpeculationCounts(drafted: 4, accepted: 2, predictionAccepted: 2, predictionRejected: 2))
    }

    @Test func offDraftsNothing() {
        var speculator = Speculator(settings: .off)
        #expect(speculator.draft(history: copied, limit: 64).isEmpty)
    }

    @Test func theVerifyCostIsLearntFromDecodeTicks() {
        var cost = VerifyCost()
        cost.observe(tokens: 5, seconds: 0.2)  // no single-token tick yet: says nothing
        #expect(cost.perToken() == VerifyCost.initialPerToken)
        for _ in 0..<50 {
            cost.observe(tokens: 1, seconds: 0.04)
            cost.observe(tokens: 9, seconds: 0.04 * (1 + 0.25 * 8))
        }
        #expect(abs(cost.perToken() - 0.25) < 0.01)
    }

    /// A β learnt while the machine was busy elsewhere (drafts then stop paying) drifts back to
    /// the prior over undrafted ticks, so drafting is tried again.
    @Test func aPessimisticVerifyCostIsForgotten() {
        var cost = VerifyCost()
        for _ in 0..<50 {
            cost.observe(tokens: 1, seconds: 0.04)
            cost.observe(tokens: 9, seconds: 0.04 * 20)
        }
        #expect(cost.perToken() > 1.5)
        for _ in 0..<2_000 { cost.observe(tokens: 1, seconds: 0.04) }
        #expect(abs(cost.perToken() - VerifyCost.initialPerToken) < 0.1, "\(cost.perToken())")
    }

    /// Four clients' ticks teach what drafts cost four sequences, not a single stream.
    @Test func theVerifyCostIsLearntPerNumberOfSequences() {
        var cost = VerifyCost()
        for _ in 0..<50 {
            cost.observe(tokens: 1, seconds: 0.04)
            cost.observe(tokens: 9, seconds: 0.04 * (1 + 0.25 * 8))
        }
        for _ in 0..<200 {
            cost.observe(tokens: 4, sequences: 4, seconds: 0.1)
            cost.observe(tokens: 8, sequences: 4, seconds: 0.1 * (1 + 0.1 * 4))
        }
        #expect(abs(cost.perToken(sequences: 1) - 0.25) < 0.01)
        // Each extra token adds a tenth of the tick, and all four sequences wait for it.
        #expect(abs(cost.perToken(sequences: 4) - 0.4) < 0.01)
        #expect(cost.perToken(sequences: 2) == VerifyCost.initialPerToken)
    }
}

@Suite struct SchedulerDraftTests {
    private static func scheduler(contextLength: Int = 512) -> Scheduler {
        Scheduler(.init(slotCount: 2, batchSize: 64, prefillChunk: 32, outputLimit: 34, contextLength: contextLength))
    }

    private static func job(_ prompt: [Int32], maxTokens: Int? = nil) -> Scheduler.Job {
        .init(
            id: 1,
            prompt: prompt,
            reusesCache: false,
            wantsPromptLogits: false,
            speculation: SpeculationSettings(maxDraft: 16, ngramMin: 2, ngramMax: 4),
            maxTokens: maxTokens
        )
    }

    /// Runs the prompt and samples `token`: the slot generates with `token` next.
    private static func started(_ prompt: [Int32], maxTokens: Int? = nil, contextLength: Int = 512) -> Scheduler {
        var scheduler = scheduler(contextLength: contextLength)
        _ = scheduler.admit(job(prompt, maxTokens: maxTokens))
        let tick = scheduler.planTick()!
        _ = scheduler.commit(tick)
        return scheduler
    }

    /// Makes slot 0's speculator one whose drafts were all accepted: it drafts several tokens.
    private static func learnToDraftLong(_ scheduler: inout Scheduler) {
        var learnt = scheduler.slots[0].speculator!
        // A short match (4 tokens): the estimate the scheduler's prompt's lookups use.
        let repeating: [Int32] = [50, 1, 2, 3, 4, 60, 1, 2, 3, 4]
        for _ in 0..<12 {
            let draft = learnt.draft(history: repeating, limit: 8)
            learnt.verified(accepted: draft.count)
        }
        scheduler.slots[0].speculator = learnt
    }

    @Test func theDraftFollowsTheTokenInTheBatchAndRejectedOnesLeave() {
        let prompt: [Int32] = Array(1...30) + [5, 6]
        var scheduler = Self.started(prompt)
        scheduler.sampled(0, token: 7)
        Self.learnToDraftLong(&scheduler)
        let tick = scheduler.planTick()!
        let draft = tick.decoding[0].draft
        #expect(draft.count >= 3)
        #expect(tick.tokens.map(\.token) == [7] + Array(8..<(8 + Int32(draft.count))))
        #expect(tick.tokens.map(\.position) == Array(32...(32 + draft.count)))
        #expect(tick.tokens.allSatisfy { $0.wantsLogits })
        let outcome = scheduler.commit(tick)
        #expect(outcome.samples == [.init(slot: 0, batchIndex: 0, promptDone: false, draft: draft)])
        #expect(scheduler.slots[0].cachedTokens.count == 33 + draft.count)
        // Two accepted: the cells of the others go.
        #expect(scheduler.verified(0, draft: draft, accepted: 2) == 35)
        #expect(scheduler.slots[0].cachedTokens.suffix(3) == [7, 8, 9])
        #expect(scheduler.verified(0, draft: [], accepted: 0) == nil)
    }

    @Test func draftsStopShortOfTheTokenLimitAndTheContext() {
        let prompt: [Int32] = Array(1...30) + [5, 6]
        var limited = Self.started(prompt, maxTokens: 3)
        Self.learnToDraftLong(&limited)
        limited.sampled(0, token: 7)
        // One token generated: two more at most, the last sampled after the draft.
        #expect(limited.planTick()!.tokens.count == 2)
        var cramped = Self.started(prompt, contextLength: 36)
        Self.learnToDraftLong(&cramped)
        cramped.sampled(0, token: 7)
        #expect(cramped.planTick()!.tokens.map(\.position) == [32, 33, 34])
    }
}
