import LlamaEngine

/// Runs the workload on an in-process engine: the reference the HTTP figures are held to.
struct DirectRunner {
    let modelPath: String
    let configuration: EngineConfiguration

    func measure(_ workload: Workload) async throws -> StreamFigures {
        let engine = try LlamaEngine(modelPath: modelPath, configuration: configuration)
        defer { engine.shutdown() }
        var figures: [StreamFigures] = []
        for (index, prompt) in workload.prompts.enumerated() {
            var sampling = SamplingParameters()
            sampling.temperature = 0
            sampling.banEndOfGeneration = true
            let request = GenerationRequest(prompt: prompt, maxTokens: workload.newTokens, sampling: sampling)
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
                }
            }
            guard let summary, let first else { throw BenchError("the engine produced no text") }
            // The first run warms caches and is not counted.
            if index > 0 {
                figures.append(
                    StreamFigures(
                        promptTokens: summary.promptTokens, completionTokens: summary.completionTokens, sent: sent, firstToken: first,
                        lastToken: last))
            }
        }
        return StreamFigures(median: figures)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
