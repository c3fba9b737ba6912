import Foundation
import LlamaEngine

/// The real default model, loaded once per test process. `make test` installs it.
enum TestModel {
    static let path: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path
    }()

    static let model: LlamaModel = {
        do { return try LlamaModel(path: path) } catch { fatalError("The default model is missing; run `make test` (\(error))") }
    }()

    /// An engine with two sequence slots and a small context, shared by the engine tests.
    static let engine: LlamaRuntime = {
        do {
            return try LlamaRuntime(model: model, configuration: EngineConfiguration(contextLength: 1024, parallel: 2, batchSize: 512))
        } catch { fatalError("Could not start the engine: \(error)") }
    }()
}

/// Runs a generation to the end and returns its text and summary.
func collect(_ engine: LlamaRuntime, _ request: GenerationRequest) async throws -> (text: String, summary: GenerationSummary) {
    var text = ""
    var summary: GenerationSummary?
    for try await event in try engine.generate(request) {
        switch event {
        case .text(let piece): text += piece
        case .finished(let final): summary = final
        case .logprobs, .promptLogprobs: break
        }
    }
    return (text, summary!)
}

/// A chat prompt whose answer is `word`.
func echoPrompt(_ word: String) -> String {
    "<|im_start|>user\nRepeat exactly this word and nothing else: \(word)<|im_end|>\n<|im_start|>assistant\n"
}

/// Everything a generation stream delivered.
struct CollectedEvents {
    var text = ""
    var logprobs: [TokenLogprob] = []
    var promptLogprobs: [TokenLogprob]?
    var summary: GenerationSummary?
}

func collectEvents(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> CollectedEvents {
    var collected = CollectedEvents()
    for try await event in stream {
        switch event {
        case .text(let piece): collected.text += piece
        case .logprobs(let entries): collected.logprobs += entries
        case .promptLogprobs(let entries): collected.promptLogprobs = entries
        case .finished(let summary): collected.summary = summary
        }
    }
    return collected
}
