/// A failure of the inference engine, as a typed value.
///
/// Client-caused cases (``promptTooLong(promptTokens:contextLength:)``) carry the numbers a
/// client needs; the others describe the failing llama.cpp call without any prompt text.
public enum LlamaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model file could not be loaded.
    case modelLoadFailed(path: String)
    /// A LoRA adapter file could not be loaded for the model; the reason is llama.cpp's.
    case adapterLoadFailed(path: String, reason: String)
    /// `llama_init_from_model` failed (usually: not enough memory for the KV cache).
    case contextCreationFailed(contextSize: Int)
    /// `llama_tokenize` failed.
    case tokenizationFailed
    /// `llama_decode` returned an error code.
    case decodeFailed(code: Int32)
    /// The prompt does not leave room for even one generated token.
    case promptTooLong(promptTokens: Int, contextLength: Int)
    /// The engine has been shut down.
    case engineStopped
    /// A running generation was cut because the server is shutting down.
    case interrupted
    /// A GBNF grammar did not parse; the message is llama.cpp's.
    case invalidGrammar(String)
    /// Every slot is busy and `limit` requests are already waiting.
    case queueFull(limit: Int)
    /// More choices of one prompt were asked for than there are sequence slots.
    case tooManyChoices(requested: Int, limit: Int)
    /// A setting does not fit what llama.cpp accepts.
    case invalidConfiguration(String)
    /// An RPC worker (`--rpc`) could not be reached when the model was loaded.
    case remoteWorkerUnreachable(String, reason: String)
    /// An RPC worker holding some of the model's layers went away: the model must be loaded again.
    case remoteWorkerLost(String)

    public var description: String {
        switch self {
        case .modelLoadFailed(let path): "could not load the model file at \(path)"
        case .adapterLoadFailed(let path, let reason): "could not load the LoRA adapter \(path): \(reason)"
        case .contextCreationFailed(let size): "could not create a llama.cpp context of \(size) tokens"
        case .tokenizationFailed: "tokenization failed"
        case .decodeFailed(let code):
            switch code {
            case 1: "llama_decode found no free KV cells for the batch (code 1)"
            case 2: "llama_decode was aborted (code 2)"
            default: "llama_decode failed with code \(code)"
            }
        case .promptTooLong(let prompt, let context): "the prompt has \(prompt) tokens but the context holds \(context)"
        case .engineStopped: "the engine has been shut down"
        case .invalidGrammar(let reason): "the grammar does not parse: \(reason)"
        case .queueFull(let limit): "all sequence slots are busy and \(limit) requests are waiting"
        case .interrupted: "the server shut down before the generation finished"
        case .tooManyChoices(let requested, let limit): "\(requested) choices were asked for but at most \(limit) run at once"
        case .invalidConfiguration(let reason): reason
        case .remoteWorkerUnreachable(let worker, let reason): "the RPC worker \(worker) cannot be used: \(reason)"
        case .remoteWorkerLost(let worker): "the RPC worker \(worker), which holds some of the model's layers, stopped answering"
        }
    }
}
