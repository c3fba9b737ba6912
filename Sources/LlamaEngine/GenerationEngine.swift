/// What the server needs of an inference engine: the model's facts, its tokenizer, generation
/// and control. ``LlamaRuntime`` is the real one; tests of routing, validation and framing use a
/// scripted one, so that they run without a model.
public protocol GenerationEngine: Sendable {
    /// Facts of the loaded model (vocabulary size, chat template, special tokens).
    var modelInfo: ModelInfo { get }
    /// Tokens of context per sequence.
    var contextLength: Int { get }
    /// Generations running or waiting for a slot.
    var activeGenerations: Int { get }
    /// Signalled whenever ``activeGenerations`` falls to 0 (and when the engine stops).
    var becameIdle: ChangeSignal { get }
    /// The load now, for metrics.
    var statistics: EngineStatistics { get }
    /// The RPC worker holding some of the model's layers that stopped answering, if any: the
    /// engine cannot generate until the model is loaded again.
    var lostWorker: String? { get }

    /// Text to token ids (`addSpecial`: BOS as the model wants it).
    func tokenize(_ text: String, addSpecial: Bool) throws(LlamaError) -> [Int32]
    /// The raw bytes of one token.
    func piece(of token: Int32, special: Bool) -> [UInt8]
    /// Token ids to text (special tokens skipped).
    func detokenize(_ tokens: [Int32]) -> String
    /// The prompt's tokens exactly as ``generate(_:choices:)`` will evaluate them.
    func promptTokens(for request: GenerationRequest) throws(LlamaError) -> [Int32]

    /// Starts `choices` generations of one prompt; one event stream per choice.
    func generate(_ request: GenerationRequest, choices: Int) throws(LlamaError) -> [AsyncThrowingStream<GenerationEvent, any Error>]
    /// The next-token distribution after `prompt`, most likely first.
    func nextTokenDistribution(prompt: String, sampling: SamplingParameters, adapters: AdapterSet, applySamplers: Bool, top: Int) async throws
        -> [TokenProbability]
    /// Loads a LoRA adapter made for the engine's model.
    func loadAdapter(path: String) throws(LlamaError) -> LoraAdapter
    /// Ends every running and waiting generation with reason `.stop`.
    func stopAll()
    /// Graceful shutdown: running generations end now, waiting and new ones fail with
    /// ``LlamaError/engineStopped``.
    func drain(timeout: Duration) async
    /// Stops the engine for good (an unloaded model): waiting and running generations end.
    func shutdown()
}

extension GenerationEngine {
    /// No RPC workers: none to lose.
    public var lostWorker: String? { nil }
}

extension LlamaRuntime: GenerationEngine {
    public var modelInfo: ModelInfo { model.info }

    public var lostWorker: String? { model.lostWorker }

    public func tokenize(_ text: String, addSpecial: Bool) throws(LlamaError) -> [Int32] {
        try model.tokenize(text, addSpecial: addSpecial)
    }

    public func piece(of token: Int32, special: Bool) -> [UInt8] { model.piece(of: token, special: special) }

    public func detokenize(_ tokens: [Int32]) -> String { model.detokenize(tokens) }

    public func loadAdapter(path: String) throws(LlamaError) -> LoraAdapter { try model.loadAdapter(path: path) }
}

extension GenerationEngine {
    /// No model to adapt (scripted engines).
    public func loadAdapter(path: String) throws(LlamaError) -> LoraAdapter {
        throw .adapterLoadFailed(path: path, reason: "this engine runs no llama.cpp model")
    }

    /// Nothing to stop (scripted engines).
    public func shutdown() {}

    /// No load to report (scripted engines).
    public var statistics: EngineStatistics { EngineStatistics() }

    /// Graceful shutdown within two seconds.
    public func drain() async { await drain(timeout: .seconds(2)) }
}
