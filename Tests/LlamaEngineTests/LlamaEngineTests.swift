import Testing

@testable import LlamaEngine

/// Serialized: a sampled output is reproducible for a seed when its batch holds no other
/// sequences, because batch composition changes floating-point summation order.
@Suite(.serialized) struct LlamaEngineTests {
    let engine = TestModel.engine

    private func greedy(_ prompt: String, maxTokens: Int = 24, stop: [String] = []) -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        return GenerationRequest(prompt: prompt, maxTokens: maxTokens, stop: stop, sampling: sampling)
    }

    @Test func readsTheModelMetadata() {
        let info = engine.model.info
        #expect(info.architecture == "qwen2")
        #expect(info.trainedContextLength == 32768)
        #expect(info.chatTemplate?.contains("<|im_start|>") == true)
        #expect(info.eosText == "<|im_end|>" || info.eosText == "<|endoftext|>")
    }

    @Test func tokenizeAndDetokenizeRoundTrip() throws {
        let text = "Hello, wörld! 你好 🙂"
        let tokens = try engine.model.tokenize(text, addSpecial: false)
        #expect(!tokens.isEmpty)
        #expect(engine.model.detokenize(tokens) == text)
        let special = try engine.model.tokenize("<|im_start|>user", addSpecial: false)
        #expect(special.count == 2)
    }

    @Test func greedyOutputIsDeterministic() async throws {
        let first = try await collect(engine, greedy("def fibonacci(n):"))
        let second = try await collect(engine, greedy("def fibonacci(n):"))
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.summary.reason == .length)
        #expect(first.summary.completionTokens == 24)
    }

    @Test func aSeedReproducesASampledOutput() async throws {
        var request = GenerationRequest(prompt: "Once upon a time", maxTokens: 20)
        request.sampling.temperature = 1.2
        request.sampling.seed = 1234
        let first = try await collect(engine, request)
        let second = try await collect(engine, request)
        request.sampling.seed = 99
        let other = try await collect(engine, request)
        #expect(first.text == second.text)
        #expect(first.text != other.text)
    }

    @Test func stopStringCutsTheOutputAndEndsWithStop() async throws {
        let full = try await collect(engine, greedy("List: 1. apple 2. banana 3.", maxTokens: 30)).text
        let stop = String(full.dropFirst(3).prefix(4))
        try #require(stop.count == 4)
        let cut = try await collect(engine, greedy("List: 1. apple 2. banana 3.", maxTokens: 30, stop: [stop]))
        #expect(cut.summary.reason == .stop)
        #expect(!cut.text.contains(stop))
        #expect(full.hasPrefix(cut.text))
    }

    @Test func endOfGenerationTokenEndsWithStop() async throws {
        let prompt = "<|im_start|>user\nSay just the word yes.<|im_end|>\n<|im_start|>assistant\n"
        let result = try await collect(engine, greedy(prompt, maxTokens: 50))
        #expect(result.summary.reason == .stop)
        #expect(result.summary.completionTokens < 50)
        #expect(!result.text.contains("<|im_end|>"))
    }

    @Test func multiByteTextSurvivesStreaming() async throws {
        let prompt = "<|im_start|>user\nWrite three Chinese characters and one emoji, nothing else.<|im_end|>\n<|im_start|>assistant\n"
        var pieces: [String] = []
        for try await event in try engine.generate(greedy(prompt, maxTokens: 20)) {
            if case .text(let piece) = event { pieces.append(piece) }
        }
        let text = pieces.joined()
        #expect(text.unicodeScalars.contains { $0.value > 0x2E80 })
        #expect(!text.contains("\u{FFFD}"))
    }

    @Test func aPromptThatFillsTheContextIsRefused() throws {
        let long = String(repeating: "word ", count: 2000)
        #expect(throws: LlamaError.self) { try engine.generate(greedy(long)) }
    }

    @Test func abandoningAStreamFreesItsSlot() async throws {
        // Both slots are taken by abandoned generations; a third request must still complete.
        for _ in 0..<2 {
            var iterator = try engine.generate(greedy("Count to a thousand: 1, 2, 3,", maxTokens: 2000)).makeAsyncIterator()
            _ = try await iterator.next()
        }
        let result = try await collect(engine, greedy("Hello", maxTokens: 4))
        #expect(result.summary.completionTokens == 4)
    }
}
