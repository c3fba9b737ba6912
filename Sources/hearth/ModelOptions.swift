import ArgumentParser
import Foundation

/// Model and runtime flags, named as in text-generation-webui.
struct ModelOptions: ParsableArguments {
    /// The model `make run` installs.
    static let defaultModel = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"

    @Option(help: "A GGUF file name in --model-dir, or a path to one (default: \(ModelOptions.defaultModel)).")
    var model: String?

    @Option(name: .customLong("model-dir"), help: "Folder of GGUF models.")
    var modelDir = "models"

    @Option(name: .customLong("ctx-size"), help: "Context length per sequence, in tokens.")
    var ctxSize = 4096

    @Option(help: "CPU threads for generation (default: all cores).")
    var threads: Int?

    @Option(help: "Sequences generated at once; they share one KV cache of ctx-size tokens each.")
    var parallel = 4

    @Option(name: .customLong("batch-size"), help: "Most tokens per llama_decode call.")
    var batchSize = 2048

    @Option(name: .customLong("ubatch-size"), help: "Most tokens llama.cpp computes in one pass (bounds its compute buffer).")
    var ubatchSize = 512

    @Option(name: .customLong("max-queue"), help: "Requests that may wait for a free slot; more get 429 with Retry-After.")
    var maxQueue = 64

    @Option(name: .customLong("cache-ram"), help: "MiB of RAM for the KV state of prompts evicted from their slot (0: off).")
    var cacheRAM = 0

    func validate() throws {
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be at least 0.") }
        guard cacheRAM >= 0 else { throw ValidationError("--cache-ram must be at least 0.") }
        guard ctxSize >= 16 else { throw ValidationError("--ctx-size must be at least 16.") }
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 64.") }
        guard batchSize >= parallel else { throw ValidationError("--batch-size must be at least --parallel.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    /// The model file: a path as given, else a name in --model-dir (with or without `.gguf`).
    func resolvedPath() throws -> String {
        let name = model ?? Self.defaultModel
        let fileManager = FileManager.default
        let candidates = [name, modelDir + "/" + name, modelDir + "/" + name + ".gguf"]
        if let found = candidates.first(where: { fileManager.fileExists(atPath: $0) && !$0.hasSuffix("/") }) {
            return found
        }
        throw ValidationError(
            "Model '\(name)' not found (looked in '\(modelDir)'). Run 'make run' to install the default model, or pass --model PATH."
        )
    }
}
