import Foundation
import Testing

@testable import LlamaEngine

/// Speculative decoding on the real model: whatever is drafted, the output is the text sampling
/// one token at a time gives. Requests are seeded so that each evaluates its whole prompt (a
/// cached prefix would change the batch shapes, and with them the last bits of the logits).
@Suite(.serialized) struct SpeculativeGenerationTests {
    /// An engine of its own: suites run in parallel, and another suite's sequences in the same
    /// batch would change how this suite's logits round (and the shared engine's other users'
    /// seeded outputs, with these drafts beside them).
    static let engine: LlamaRuntime = {
        do {
            return try LlamaRuntime(model: TestModel.model, configuration: EngineConfiguration(contextLength: 1024, parallel: 2, batchSize: 512))
        } catch { fatalError("Could not start the engine: \(error)") }
    }()

    static let code = """
        func total(of prices: [Double], taxRate: Double) -> Double {
            var sum = 0.0
            for price in prices {
                sum += price
            }
            let tax = sum * taxRate
            return sum + tax
        }
        """

    /// A prompt whose reply copies text from it: drafts are accepted often.
    static let copying = "<|im_start|>user\nRepeat this Swift code exactly, in a code block:\n\(code)<|im_end|>\n<|im_start|>assistant\n"
    /// A prompt whose reply copies little.
    static let freeText = "<|im_start|>user\nWrite a short poem about the sea.<|im_end|>\n<|im_start|>assistant\n"

    static func request(_ prompt: String, maxTokens: Int = 80, temperature: Double = 0, seed: UInt32 = 7, speculative: Bool = true)
        -> GenerationRequest
    {
        var sampling = SamplingParameters()
        sampling.temperature = temperature
        sampling.seed = seed
        var request = GenerationRequest(prompt: prompt, maxTokens: maxTokens, sampling: sampling)
        request.speculative = speculative
        return request
    }

    /// The same request with speculation on and off: the same text, and on drafts were accepted.
    private func expectSameOutput(_ request: GenerationRequest, accepts: Bool) async throws {
        var plain = request
        plain.speculative = false
        let off = try await collect(Self.engine, plain)
        let on = try await collect(Self.engine, request)
        #expect(on.text == off.text)
        #expect(on.summary.completionTokens == off.summary.completionTokens)
        #expect(on.summary.reason == off.summary.reason)
        #expect(off.summary.speculation == nil)
        let counts = try #require(on.summary.speculation)
        // How much is drafted follows measured verify costs (timing: a machine busy with other
        // suites drafts less), so only that drafts were made and taken is asserted; how much
        // speculation gains is `hearth-bench --speculation-only`'s to say.
        if accepts { #expect(counts.accepted > 0, "\(counts)") }
    }

    @Test func greedyCopyingIsTheSameAndAcceptsDrafts() async throws {
        try await expectSameOutput(Self.request(Self.copying), accepts: true)
    }

    @Test func greedyFreeTextIsTheSame() async throws {
        try await expectSameOutput(Self.request(Self.freeText), accepts: false)
    }

    @Test func seededSamplingDoesNotSpeculateSoTheSeedGivesTheSameText() async throws {
        // Verifying a draft rounds its logits as a batch of several tokens does: a seeded draw
        // near a boundary could change. Seeded sampling therefore runs without drafts.
        var request = Self.request(Self.freeText, temperature: 0.9, seed: 5)
        request.sampling.dryMultiplier = 0.8
        request.sampling.xtcProbability = 0.5
        var plain = request
        plain.speculative = false
        let off = try await collect(Self.engine, plain)
        let on = try await collect(Self.engine, request)
        #expect(on.text == off.text)
        #expect(on.summary.speculation == nil)
    }

    @Test func unseededSamplingSpeculatesWithEverySampler() async throws {
        var request = GenerationRequest(prompt: Self.copying, maxTokens: 80)
        request.sampling.temperature = 0.3
        request.sampling.repetitionPenalty = 1.02
        request.sampling.topK = 40
        request.sampling.minP = 0.05
        request.sampling.dryMultiplier = 0.1
        let reply = try await collect(Self.engine, request)
        #expect(reply.text.contains("func total"), "\(reply.text)")
        // How many drafts are taken follows measured verify costs (see expectSameOutput).
        #expect((reply.summary.speculation?.accepted ?? 0) > 0, "\(String(describing: reply.summary.speculation))")
    }

    @Test func aGrammarAndLogitBiasHoldUnderSpeculation() async throws {
        var request = Self.request(
            "<|im_start|>user\nList the numbers 1 to 12 as a JSON array, then again.<|im_end|>\n<|im_start|>assistant\n",
            maxTokens: 60
        )
        request.sampling.grammar = Grammar(#"root ::= "[" [0-9]+ ("," " "? [0-9]+)* "]""#)
        try await expectSameOutput(request, accepts: false)
        let on = try await collect(Self.engine, request)
        #expect(on.text.hasPrefix("[") && on.text.hasSuffix("]"), "\(on.text)")
    }

    @Test func aStopStringInsideAnAcceptedDraftCutsThereAndTheSlotGoesOn() async throws {
        var request = Self.request(Self.copying)
        request.stop = ["taxRate\n"]
        var plain = request
        plain.speculative = false
        let off = try await collect(Self.engine, plain)
        let on = try await collect(Self.engine, request)
        #expect(on.text == off.text)
        #expect(on.summary.stopString == "taxRate\n" || off.summary.stopString == nil)
        // The slot's cache holds only kept tokens: the next request on it is right too.
        try await expectSameOutput(Self.request(Self.copying, maxTokens: 30), accepts: true)
    }

    @Test func logprobsAreReportedForKeptTokensOnly() async throws {
        var request = Self.request(Self.copying, maxTokens: 40)
        request.logprobs = 2
        var plain = request
        plain.speculative = false
        let off = try await collectEvents(try Self.engine.generate(plain))
        let on = try await collectEvents(try Self.engine.generate(request))
        #expect(on.text == off.text)
        #expect(on.logprobs.count == on.summary?.completionTokens)
        #expect(on.logprobs.map(\.token) == off.logprobs.map(\.token))
        for (a, b) in zip(on.logprobs, off.logprobs) {
            #expect(abs((a.logprob ?? 0) - (b.logprob ?? 0)) < 0.05)
        }
    }

    @Test func severalChoicesAndConcurrentRequestsEachMatchTheirOwnRun() async throws {
        let request = Self.request(Self.copying, maxTokens: 50)
        var plain = request
        plain.speculative = false
        let off = try await collect(Self.engine, plain).text
        let streams = try Self.engine.generate(request, choices: 2)
        for stream in streams {
            let choice = try await collectEvents(stream)
            // Followers sample with seed + k; greedy, every choice is the same text.
            #expect(choice.text == off)
        }
    }

    @Test func theContextEndMidDraftEndsWithLength() async throws {
        // Room for 30 tokens of a reply that copies about 80.
        let contextLength = try Self.engine.promptTokens(for: Self.request(Self.copying)).count + 30
        let engine = try LlamaRuntime(
            model: TestModel.model,
            configuration: EngineConfiguration(contextLength: contextLength, parallel: 1, batchSize: 256)
        )
        defer { engine.shutdown() }
        let off = try await collect(engine, Self.request(Self.copying, maxTokens: 500, speculative: false))
        let on = try await collect(engine, Self.request(Self.copying, maxTokens: 500))
        #expect(off.summary.reason == .length)
        #expect(on.summary.reason == .length)
        #expect(on.text == off.text)
        #expect(on.summary.promptTokens + on.summary.completionTokens <= contextLength)
        // Drafts were made and taken; how many follows measured verify costs (timing), and CI
        // saw 4 on a busy machine where this asked for more than 5.
        #expect((on.summary.speculation?.accepted ?? 0) > 0)
    }

    @Test func aPredictionIsDraftedAndCounted() async throws {
        var request = Self.request(Self.copying, maxTokens: 90)
        request.prediction = "```swift\n\(Self.code)\n```"
        var plain = request
        plain.speculative = false
        let off = try await collect(Self.engine, plain)
        let on = try await collect(Self.engine, request)
        #expect(on.text == off.text)
        let counts = try #require(on.summary.speculation)
        #expect(counts.predictionAccepted > 0, "\(counts)")
        #expect(counts.predictionAccepted + counts.predictionRejected <= counts.drafted)
    }

    @Test func cancellingMidDraftFreesTheSlot() async throws {
        let stream = try Self.engine.generate(Self.request(Self.copying, maxTokens: 200))
        var pieces = 0
        for try await event in stream {
            if case .text = event { pieces += 1 }
            if pieces == 3 { break }
        }
        // The slot is free again: a new request runs and is right.
        try await expectSameOutput(Self.request(Self.copying, maxTokens: 20), accepts: false)
    }
}
