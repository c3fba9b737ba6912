import Foundation
import Testing

@testable import LlamaEngine

/// The scheduler: batching must not change results, the queue is bounded, abandoned requests
/// leave at once, and the host-RAM prompt cache restores evicted prefixes.
@Suite(.serialized) struct SchedulerTests {
    private static func greedy(_ prompt: String, maxTokens: Int = 24) -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        return GenerationRequest(prompt: prompt, maxTokens: maxTokens, sampling: sampling)
    }

    private static func engine(parallel: Int, maxQueue: Int = 64, cacheBytes: Int = 0) throws -> LlamaRuntime {
        try LlamaRuntime(
            model: TestModel.model,
            configuration: EngineConfiguration(
                contextLength: 512,
                parallel: parallel,
                batchSize: 512,
                maxQueue: maxQueue,
                promptCacheBytes: cacheBytes
            )
        )
    }

    /// Eight requests through four slots, so that prompt chunks and generating sequences share
    /// batches: each answer is its own. (Exact equality with solo outputs is not asserted:
    /// llama.cpp's CPU kernels round differently with the batch's shape, see docs/api.md.)
    @Test func eightConcurrentRequestsEachGetTheirOwnAnswer() async throws {
        let engine = try Self.engine(parallel: 4)
        defer { engine.shutdown() }
        let words = ["APPLE", "RIVER", "CANDLE", "ORBIT", "GARDEN", "PENCIL", "TIGER", "WINDOW"]
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, word) in words.enumerated() {
                group.addTask { (index, try await collect(engine, Self.greedy(echoPrompt(word), maxTokens: 8)).text) }
            }
            var results = [String](repeating: "", count: words.count)
            for try await (index, text) in group { results[index] = text }
            return results
        }
        for (index, word) in words.enumerated() {
            #expect(outputs[index].uppercased().contains(word), "\(word): \(outputs[index])")
            #expect(words.filter { $0 != word }.allSatisfy { !outputs[index].uppercased().contains($0) })
        }
    }

    @Test func theRequestBeyondTheQueueLimitIsRefused() async throws {
        let engine = try Self.engine(parallel: 2)
        defer { engine.shutdown() }
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        // Two run, 64 wait: the 65th waiting request is one too many.
        for _ in 0..<66 { streams.append(try engine.generate(Self.greedy("Count to a million: 1, 2,", maxTokens: 400))) }
        #expect(throws: LlamaError.queueFull(limit: 64)) { try engine.generate(Self.greedy("one more")) }
        streams.removeAll()
        #expect(try await becomesIdle(engine))
        // The queue drained: requests are accepted and served again.
        #expect(try await collect(engine, Self.greedy("Hi", maxTokens: 2)).summary.completionTokens == 2)
    }

    @Test func aWaitingRequestWhoseConsumerLeavesIsGoneAtOnce() async throws {
        let engine = try Self.engine(parallel: 1)
        defer { engine.shutdown() }
        let running = try engine.generate(Self.greedy("Count to a million: 1, 2,", maxTokens: 400))
        var iterator = running.makeAsyncIterator()
        _ = try await iterator.next()  // the first request holds the only slot
        var waiting: AsyncThrowingStream<GenerationEvent, any Error>? = try engine.generate(Self.greedy("Hello"))
        #expect(engine.activeGenerations == 2)
        _ = waiting
        waiting = nil
        #expect(engine.activeGenerations == 1)
    }

    @Test func stopAllEndsRunningAndWaitingGenerationsWithStop() async throws {
        let engine = try Self.engine(parallel: 1)
        defer { engine.shutdown() }
        let running = try engine.generate(Self.greedy("Count to a million: 1, 2,", maxTokens: 400))
        let waiting = try engine.generate(Self.greedy("Count to a billion: 1, 2,", maxTokens: 400))
        var iterator = running.makeAsyncIterator()
        _ = try await iterator.next()
        engine.stopAll()
        var reasons: [StopReason] = []
        while let event = try await iterator.next() { if case .finished(let summary) = event { reasons.append(summary.reason) } }
        for try await event in waiting { if case .finished(let summary) = event { reasons.append(summary.reason) } }
        #expect(reasons == [.stop, .stop])
        // Requests after the stop run normally.
        #expect(try await collect(engine, Self.greedy("Hi", maxTokens: 3)).summary.completionTokens == 3)
    }

    @Test func aPrefixRestoredFromRAMGivesTheOutputItGaveInItsSlot() async throws {
        let engine = try Self.engine(parallel: 1, cacheBytes: 64 << 20)
        defer { engine.shutdown() }
        let system = String(repeating: "You are a careful assistant who answers in full sentences. ", count: 12)
        let prompt = system + "Question: what is the boiling point of water?\nAnswer:"
        let cold = try await collect(engine, Self.greedy(prompt))
        #expect(cold.summary.cachedPromptTokens == 0)
        // The prompt again, its prefix still in the slot: only its last token is evaluated. (Not
        // compared with the cold reply: llama.cpp's batched products round a row differently
        // from the same row alone, so a whole prompt and its last token alone may part at a
        // near-tie; docs/performance.md.)
        let inSlot = try await collect(engine, Self.greedy(prompt))
        #expect(inSlot.summary.cachedPromptTokens == inSlot.summary.promptTokens - 1)
        // Another prompt takes the only slot; the first one's KV goes to RAM and comes back.
        _ = try await collect(engine, Self.greedy("An unrelated prompt about trains and their history.", maxTokens: 4))
        let restored = try await collect(engine, Self.greedy(prompt))
        #expect(restored.summary.cachedPromptTokens == restored.summary.promptTokens - 1)
        #expect(restored.text == inSlot.text)
    }

    private func becomesIdle(_ engine: LlamaRuntime) async throws -> Bool {
        for _ in 0..<500 {
            if engine.activeGenerations == 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

@Suite struct PromptCacheTests {
    @Test func keepsTheLongestMatchAndEvictsTheLeastRecentlyUsed() {
        var cache = PromptCache(capacityBytes: 10)
        cache.insert(tokens: [1, 2, 3], state: [UInt8](repeating: 0, count: 4))
        cache.insert(tokens: [1, 2, 3, 4, 5], state: [UInt8](repeating: 0, count: 4))  // supersedes [1, 2, 3]
        #expect(cache.entries.count == 1)
        cache.insert(tokens: [7, 8], state: [UInt8](repeating: 0, count: 4))
        cache.insert(tokens: [9], state: [UInt8](repeating: 0, count: 4))  // over budget: [1…5] goes
        #expect(cache.entries.map(\.tokens) == [[7, 8], [9]])
        #expect(cache.bestMatch(for: [7, 8, 1], minimum: 1)?.shared == 2)
        #expect(cache.bestMatch(for: [7, 8, 1], minimum: 3) == nil)
    }

    @Test func disabledCacheStoresNothing() {
        var cache = PromptCache(capacityBytes: 0)
        cache.insert(tokens: [1], state: [0])
        #expect(cache.entries.isEmpty)
    }
}
