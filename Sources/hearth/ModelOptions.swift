import ArgumentParser
import Foundation
import LlamaEngine

/// Model and runtime flags, named as in text-generation-webui.
struct ModelOptions: ParsableArguments {
    /// The model `make run` installs.
    static let defaultModel = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"

    @Option(help: "A GGUF file name in --model-dir, or a path to one (default: \(ModelOptions.defaultModel)).")
    var model: String?

    @Option(name: .customLong("model-dir"), help: "Folder of GGUF models (default: models, here or installed).")
    var modelDir: String?

    /// `--model-dir`, or `models` here or installed.
    var modelDirectory: String { modelDir ?? InstallLayout.directory("models") }

    @Option(name: .customLong("lora-dir"), help: "Folder of LoRA adapters in GGUF format (default: loras, here or installed).")
    var loraDir: String?

    /// `--lora-dir`, or `loras` here or installed.
    var loraDirectory: String { loraDir ?? InstallLayout.directory("loras") }

    @Option(
        name: .customLong("lora"),
        parsing: .upToNextOption,
        help: "LoRA adapters in --lora-dir to apply to the model at start: NAME or NAME:SCALE, one or more."
    )
    var lora: [String] = []

    @Option(
        name: .customLong("embedding-model"),
        help: "The embedding model of requests that name none, in --model-dir/embeddings (env OPENEDAI_EMBEDDING_MODEL; default: all-mpnet-base-v2)."
    )
    var embeddingModel: String?

    @Option(
        name: .customLong("embedding-precision"),
        help:
            "exact: sentence-transformers' vectors (float32, the default); fast: bfloat16 products, about twice the texts per second, within cosine 0.999 of exact with the same nearest documents."
    )
    var embeddingPrecision: EmbeddingPrecision = .exact

    // Named by ArgumentParser from the property: --whisper-model, --max-audio-size, --max-audio-seconds.
    @Option(
        help:
            "A whisper.cpp (ggml) Whisper model for /v1/audio/transcriptions and /translations (default: --model-dir/whisper/ggml-base.bin, multilingual, installed by make run; ggml-tiny.en.bin beside it is English-only and faster)."
    )
    var whisperModel: String?

    @Option(help: "Largest audio upload accepted by /v1/audio routes, in bytes (OpenAI's limit).")
    var maxAudioSize = 25 << 20

    @Option(help: "Longest recording /v1/audio routes transcribe, in seconds.")
    var maxAudioSeconds = 3600

    /// The Whisper model file: `--whisper-model`, else the one the setup installs.
    var whisperModelPath: String { whisperModel ?? "\(modelDirectory)/whisper/ggml-base.bin" }

    @Option(name: .customLong("models-max"), help: "Models kept loaded at once; loading another unloads the least recently used idle one.")
    var modelsMax = 1

    @Option(name: .customLong("model-ttl"), help: "Unload a model idle for this many seconds (default: never).")
    var modelTTL: Int?

    @Flag(
        name: .customLong("strict-model-names"),
        help: "A request naming no installed model is a 404 (default: the default model serves it, as text-generation-webui does)."
    )
    var strictModelNames = false

    @Option(name: .customLong("ctx-size"), help: "Context length per sequence, in tokens.")
    var ctxSize = 4096

    /// `--flash-attn`, as llama-server spells it.
    enum FlashAttention: String, ExpressibleByArgument, CaseIterable {
        case on, off, auto
        var enabled: Bool? { self == .auto ? nil : self == .on }
    }

    @Option(
        name: .customLong("flash-attn"),
        help:
            "llama.cpp's flash attention: on, off, or auto (llama.cpp decides: on, on CPUs). Hearth's patch to llama.cpp makes it fast deep in a conversation too."
    )
    var flashAttention: FlashAttention = .auto

    @Option(
        name: .customLong("spec-max"),
        help: "Most tokens drafted per sequence and step for speculative decoding by prompt lookup (0: off). The output is the same either way."
    )
    var specMax = 16

    @Option(name: .customLong("spec-ngram-min"), help: "Shortest run of last tokens looked up for a draft.")
    var specNgramMin = 3

    @Option(name: .customLong("spec-ngram-max"), help: "Longest run of last tokens looked up for a draft (longer matches are tried first).")
    var specNgramMax = 6

    /// The speculation flags as the engine takes them.
    var speculation: SpeculationSettings {
        SpeculationSettings(maxDraft: specMax, ngramMin: specNgramMin, ngramMax: specNgramMax)
    }

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

    @Option(
        name: .customLong("rpc"),
        help:
            "llama.cpp RPC workers (ggml-rpc-server) to place the model's layers on, for a model larger than this machine: HOST:PORT,… (IPv4; private addresses only, unless --rpc-allow-public)."
    )
    var rpc: String?

    @Option(
        name: .customLong("tensor-split"),
        help: "Each RPC worker's share of the remote layers, N0,N1,… in --rpc's order (default: in proportion to their free memory)."
    )
    var tensorSplit: String?

    @Option(
        name: [.customLong("gpu-layers"), .customLong("n-gpu-layers")],
        help: "Layers placed on the --rpc workers (default: all); the rest run here. Without --rpc it means nothing (no GPU) and is ignored."
    )
    var gpuLayers: Int?

    @Flag(
        name: .customLong("no-repack"),
        help:
            "Keep the weights as the file has them instead of repacking them for this CPU's fastest kernels (slower; as RPC workers compute, so the model alone answers exactly as split)."
    )
    var noRepack = false

    @Flag(
        name: .customLong("rpc-allow-public"),
        help:
            "Allow --rpc workers at public addresses. llama.cpp's RPC protocol has no authentication and is not hardened: run workers on a private network only."
    )
    var rpcAllowPublic = false

    /// Where the model's layers go: `--rpc`, `--tensor-split` and `--gpu-layers` read and
    /// checked (`validate()` has refused what they cannot mean).
    var placement: ModelPlacement {
        guard let rpc, let workers = try? RPCEndpoint.list(rpc) else { return .local }
        return ModelPlacement(workers: workers, tensorSplit: tensorSplit.flatMap { try? Self.shares($0) }, remoteLayers: gpuLayers)
    }

    /// `--tensor-split`'s numbers: non-negative, at least one above zero.
    static func shares(_ text: String) throws -> [Float] {
        let shares = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard let values = shares as? [Float], values.allSatisfy({ $0 >= 0 && $0.isFinite }), values.contains(where: { $0 > 0 }) else {
            throw ValidationError("--tensor-split takes non-negative numbers, at least one above zero, as N0,N1,…; not '\(text)'.")
        }
        return values
    }

    /// Refuses `--rpc` workers it cannot name or, without `--rpc-allow-public`, at a public
    /// address: llama.cpp's RPC protocol lets anyone who reaches a worker run code paths with
    /// known memory-safety bugs.
    func validatePlacement() throws {
        if let gpuLayers { try Self.check("--gpu-layers", gpuLayers, in: 0...100_000) }
        guard let rpc else { return }
        let workers: [RPCEndpoint]
        do {
            workers = try RPCEndpoint.list(rpc)
            for worker in workers where !rpcAllowPublic {
                let address = try worker.address()
                guard RPCEndpoint.isPrivate(address) else {
                    throw ValidationError(
                        "--rpc: \(worker) is at the public address \(RPCEndpoint.text(address)). llama.cpp's RPC protocol has no "
                            + "authentication and is not hardened; run workers on a private network, or pass --rpc-allow-public."
                    )
                }
            }
        } catch let error as RPCEndpointError {
            throw ValidationError("--rpc: \(error).")
        }
        if let tensorSplit {
            let shares = try Self.shares(tensorSplit)
            guard shares.count <= min(workers.count, 16) else {
                throw ValidationError("--tensor-split has \(shares.count) shares for \(workers.count) RPC workers.")
            }
        }
    }

    /// Largest context per sequence and batch accepted: far beyond any model here, and small
    /// enough that every size llama.cpp derives from them fits its 32-bit fields.
    static let largestContext = 1 << 20

    func validate() throws {
        try Self.check("--max-queue", maxQueue, in: 0...100_000)
        try Self.check("--models-max", modelsMax, in: 1...64)
        try Self.check("--max-audio-size", maxAudioSize, in: 1...(1 << 31))
        try Self.check("--max-audio-seconds", maxAudioSeconds, in: 1...86_400)
        if let modelTTL { try Self.check("--model-ttl", modelTTL, in: 1...31_536_000) }
        try Self.check("--cache-ram", cacheRAM, in: 0...(1 << 24))
        try Self.check("--ctx-size", ctxSize, in: 16...Self.largestContext)
        try Self.check("--parallel", parallel, in: 1...64)
        try Self.check("--batch-size", batchSize, in: parallel...Self.largestContext)
        try Self.check("--ubatch-size", ubatchSize, in: 1...Self.largestContext)
        if let threads { try Self.check("--threads", threads, in: 1...1024) }
        try Self.check("--spec-max", specMax, in: 0...64)
        try Self.check("--spec-ngram-min", specNgramMin, in: 1...64)
        try Self.check("--spec-ngram-max", specNgramMax, in: specNgramMin...64)
        try validatePlacement()
    }

    /// A usage error naming the flag when `value` is outside `range`.
    static func check(_ flag: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound), not \(value).")
        }
    }

    /// The model file: a path as given, else a name in --model-dir (with or without `.gguf`).
    func resolvedPath() throws -> String {
        let name = model ?? Self.defaultModel
        let fileManager = FileManager.default
        let modelDir = modelDirectory
        let candidates = [name, modelDir + "/" + name, modelDir + "/" + name + ".gguf"]
        if let found = candidates.first(where: { fileManager.fileExists(atPath: $0) && !$0.hasSuffix("/") }) {
            return found
        }
        throw ValidationError(
            "Model '\(name)' not found (looked in '\(modelDir)'). Run 'make run' to install the default model, or pass --model PATH."
        )
    }
}

extension EmbeddingPrecision: ExpressibleByArgument {}
