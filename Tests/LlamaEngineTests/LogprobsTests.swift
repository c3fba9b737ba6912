import Foundation
import Testing

@testable import LlamaEngine

/// Log probabilities of generated and prompt tokens, and several choices from one prefill.
@Suite(.serialized) struct LogprobsTests {
    private static func request(_ prompt: String, maxTokens: Int, temperature: Double = 0, seed: UInt32? = nil) -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = temperature
        sampling.seed = seed
        return GenerationRequest(prompt: prompt, maxTokens: maxTokens, sampling: sampling)
    }

    @Test func generatedTokensCarryTheirLogprobsAndSortedAlternatives() async throws {
        var request = Self.request("The capital of France is", maxTokens: 8)
        request.logprobs = 5
        let result = try await collectEvents(TestModel.engine.generate(request))
        #expect(result.summary?.reason == .length)
        #expect(result.logprobs.count == 8)
        // The tokens' bytes concatenate to the text.
        #expect(String(decoding: result.logprobs.flatMap(\.bytes), as: UTF8.self) == result.text)
        for entry in result.logprobs {
            let logprob = try #require(entry.logprob)
            #expect(logprob <= 0)
            #expect(entry.top.count == 5)
            #expect(entry.top.map(\.logprob) == entry.top.map(\.logprob).sorted(by: >))
            // Greedy picks the most likely token, so it heads its alternatives.
            #expect(entry.top[0].token == entry.token)
            #expect(abs(entry.top[0].logprob - logprob) < 1e-9)
        }
    }

    @Test func logprobsStopWithTheTextAtAStopString() async throws {
        var request = Self.request("Count: 1, 2, 3, 4, 5, 6,", maxTokens: 12)
        request.stop = [" 9"]
        request.logprobs = 0
        let result = try await collectEvents(TestModel.engine.generate(request))
        #expect(result.summary?.reason == .stop)
        #expect(!result.text.contains("9"))
        let reported = String(decoding: result.logprobs.flatMap(\.bytes), as: UTF8.self)
        #expect(reported.hasPrefix(result.text))
        #expect(reported.count <= result.text.count + 2)
    }

    @Test func promptLogprobsCoverEveryPromptToken() async throws {
        var request = Self.request("One, two, three, four", maxTokens: 0)
        request.logprobs = 2
        request.promptLogprobs = true
        let engine = TestModel.engine
        let tokens = try engine.promptTokens(for: request)
        let result = try await collectEvents(engine.generate(request))
        let prompt = try #require(result.promptLogprobs)
        #expect(prompt.map(\.token) == tokens)
        #expect(prompt[0].logprob == nil)
        #expect(prompt.dropFirst().allSatisfy { ($0.logprob ?? 1) <= 0 && $0.top.count == 2 })
        #expect(result.summary?.reason == .length)
        #expect(result.summary?.completionTokens == 0)
        #expect(result.text.isEmpty)
    }

    /// A prompt longer than llama.cpp's output rows per batch is evaluated in chunks; the logprobs
    /// must match those of a prompt evaluated otherwise: the raw next-token distribution.
    @Test func promptLogprobsOfALongPromptMatchTheDistribution() async throws {
        let text = (1...30).map(String.init).joined(separator: ", ")
        var request = Self.request(text, maxTokens: 0)
        request.logprobs = 1
        request.promptLogprobs = true
        let engine = TestModel.engine
        let prompt = try #require(try await collectEvents(engine.generate(request)).promptLogprobs)
        let tokens = try engine.promptTokens(for: request)
        #expect(prompt.count == tokens.count)
        // The last prompt token's logprob, computed through a probe of the prompt before it.
        let before = String(decoding: tokens.dropLast().flatMap { engine.model.piece(of: $0) }, as: UTF8.self)
        let distribution = try await engine.nextTokenDistribution(prompt: before, sampling: SamplingParameters(), applySamplers: false, top: 50)
        let probability = try #require(distribution.first { $0.token == tokens.last! }?.probability)
        #expect(abs(log(probability) - prompt.last!.logprob!) < 0.05)
    }

    /// Three choices on a fresh engine: their texts, summaries and the prompt tokens evaluated.
    private static func threeChoices(_ request: GenerationRequest) async throws -> (results: [CollectedEvents], evaluated: Int, promptLength: Int) {
        let engine = try LlamaRuntime(model: TestModel.model, configuration: EngineConfiguration(contextLength: 512, parallel: 3, batchSize: 512))
        defer { engine.shutdown() }
        var results: [CollectedEvents] = []
        for stream in try engine.generate(request, choices: 3) { results.append(try await collectEvents(stream)) }
        return (results, engine.evaluatedPromptTokens, try engine.promptTokens(for: request).count)
    }

    @Test func severalChoicesShareOnePrefill() async throws {
        let request = Self.request("Write a short poem about the sea:\n", maxTokens: 12, temperature: 1, seed: 42)
        let first = try await Self.threeChoices(request)
        #expect(first.evaluated == first.promptLength)
        #expect(first.results.allSatisfy { $0.summary?.completionTokens == 12 && $0.summary?.promptTokens == first.promptLength })
        #expect(Set(first.results.map(\.text)).count > 1)

        // Seeds are seed + k: the same request gives the same three texts. (On a fresh engine:
        // a cached prefix changes the batch shapes and with them llama.cpp's rounding.)
        let second = try await Self.threeChoices(request)
        #expect(second.results.map(\.text) == first.results.map(\.text))
    }

    @Test func moreChoicesThanSlotsIsRefused() throws {
        #expect(throws: LlamaError.tooManyChoices(requested: 3, limit: 2)) {
            _ = try TestModel.engine.generate(Self.request("Hi", maxTokens: 1), choices: 3)
        }
    }
}
