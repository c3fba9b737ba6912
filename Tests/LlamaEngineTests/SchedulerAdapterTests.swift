import Testing

@testable import LlamaEngine

/// LoRA adapter sets in the scheduling policy: a tick runs one set, sets take turns, and KV or
/// a stored prefix evaluated under one set is never reused by another.
@Suite struct SchedulerAdapterTests {
    static let style = AdapterSet.Key([.init(serial: 1, scale: 1)])
    static let strong = AdapterSet.Key([.init(serial: 1, scale: 2)])

    static func job(_ id: Int, _ prompt: [Int32], adapters: AdapterSet.Key = .none) -> Scheduler.Job {
        Scheduler.Job(id: id, prompt: prompt, reusesCache: true, wantsPromptLogits: false, adapters: adapters)
    }

    @Test func sequencesWithDifferentAdaptersTakeTurnsAndNeverShareATick() {
        var scheduler = Scheduler(SchedulerPolicyTests.configuration(slots: 3))
        _ = scheduler.admit(Self.job(1, [1, 2, 3]))
        _ = scheduler.admit(Self.job(2, [4, 5, 6], adapters: Self.style))
        _ = scheduler.admit(Self.job(3, [7, 8, 9]))
        var served: [AdapterSet.Key] = []
        for _ in 0..<6 {
            let tick = scheduler.planTick()!
            let keys = Set(tick.tokens.map { scheduler.slots[$0.slot].job!.adapters })
            #expect(keys == [tick.adapters])
            served.append(tick.adapters)
            for sample in scheduler.commit(tick).samples { scheduler.sampled(sample.slot, token: 7) }
        }
        // Both base-model jobs share their ticks; the adapter's job alternates with them.
        #expect(served == [.none, Self.style, .none, Self.style, .none, Self.style])
        #expect(scheduler.slots.allSatisfy { $0.phase == .generating })
    }

    @Test func onlyTheSameAdapterSetReusesACachedPrefix() {
        var scheduler = Scheduler(SchedulerPolicyTests.configuration(slots: 1))
        scheduler.slots[0].cachedTokens = [1, 2, 3, 4]
        scheduler.slots[0].cachedAdapters = Self.style
        // Another scale is another set: nothing is reused.
        #expect(scheduler.admit(Self.job(1, [1, 2, 3, 4, 5], adapters: Self.strong)).steps == [.trim(slot: 0, keep: 0)])
        #expect(scheduler.slots[0].cachedAdapters == Self.strong)
        scheduler.release(0)
        scheduler.slots[0].cachedTokens = [1, 2, 3, 4]
        #expect(scheduler.admit(Self.job(2, [1, 2, 3, 4, 5], adapters: Self.strong)).steps == [.trim(slot: 0, keep: 4)])
    }

    @Test func storedPrefixesKeepTheirAdapters() {
        var scheduler = Scheduler(SchedulerPolicyTests.configuration(slots: 1, cacheBytes: 1 << 20))
        let long = SchedulerPolicyTests.tokens(100)
        scheduler.slots[0].cachedTokens = long
        scheduler.slots[0].cachedAdapters = Self.style
        let (steps, _) = scheduler.admit(Self.job(1, SchedulerPolicyTests.tokens(10, from: 500)))
        #expect(steps.first == .stash(slot: 0, tokens: long, adapters: Self.style))
        scheduler.store(tokens: long, state: [1], adapters: Self.style)
        scheduler.release(0)
        // The base model does not restore the adapter's prefix; the adapter does.
        #expect(scheduler.admit(Self.job(2, long + [7])).steps.contains { if case .restore = $0 { true } else { false } } == false)
        scheduler.release(0)
        let (again, _) = scheduler.admit(Self.job(3, long + [7], adapters: Self.style))
        #expect(again.contains(.restore(slot: 0, tokens: long, state: [1])))
    }
}
