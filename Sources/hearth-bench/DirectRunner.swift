import LlamaEngine

/// Runs prompts on an in-process engine: the reference the HTTP figures are held to.
struct DirectRunner {
    let engine: LlamaRuntime

    init(modelPath: String, configuration: EngineConfiguration) throws {
        engine = try LlamaRuntime(modelPath: modelPath, configuration: configuration)
    }

    func run(prompt: String, newTokens: Int) async throws -> StreamFigures {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        sampling.banEndOfGeneration = true
        let request = GenerationRequest(prompt: prompt, maxTokens: newTokens, sampling: sampling)
        let sent = now()
        var first: Double?
        var last = sent
        var summary: GenerationSummary?
        for try await event in try engine.generate(request) {
            switch event {
            case .text:
                last = now()
                if first == nil { first = last }
            case .finished(let final): summary = final
            case .logprobs, .promptLogprobs: break
            }
        }
        guard let summary, let first else { throw BenchError("the engine produced no text") }
        return StreamFigures(
            promptTokens: summary.promptTokens,
            completionTokens: summary.completionTokens,
            sent: sent,
            firstToken: first,
            lastToken: last
        )
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
