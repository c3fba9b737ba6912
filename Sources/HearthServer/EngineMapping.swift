import LlamaEngine
import OpenAIAPI

extension SamplingParameters {
    /// The request's sampling fields over the server's defaults.
    init(_ options: GenerationOptions, defaults: SamplingParameters) {
        self = defaults
        if let value = options.temperature { temperature = value }
        if let value = options.topP { topP = value }
        if let value = options.topK { topK = value }
        if let value = options.minP { minP = value }
        if let value = options.repetitionPenalty { repetitionPenalty = value }
        if let value = options.repetitionPenaltyRange { penaltyLastN = value }
        if let value = options.presencePenalty { presencePenalty = value }
        if let value = options.frequencyPenalty { frequencyPenalty = value }
        if let value = options.banEOSToken { banEndOfGeneration = value }
        // A negative seed means "random", as in text-generation-webui.
        if let seed = options.seed { self.seed = seed < 0 ? nil : UInt32(truncatingIfNeeded: seed) }
    }
}

extension FinishReason {
    init(_ reason: StopReason) {
        switch reason {
        case .stop, .cancelled: self = .stop
        case .length: self = .length
        }
    }
}

extension OpenAIError {
    /// The client-facing form of an engine failure. `param` names the request field that holds
    /// the prompt (`prompt` or `messages`).
    init(_ error: LlamaError, param: String) {
        switch error {
        case .promptTooLong(let promptTokens, let contextLength):
            self = .contextLengthExceeded(promptTokens: promptTokens, contextLength: contextLength, param: param)
        case .chatTemplateFailed(let reason):
            self = .invalidRequest("The chat could not be rendered with the model's template: \(reason).", param: param)
        case .queueFull(let limit):
            self = .serverBusy(waiting: limit, retryAfter: 1)
        case .engineStopped:
            self = OpenAIError(status: 503, message: "The server is shutting down.", type: "server_error")
        case .modelLoadFailed, .contextCreationFailed, .tokenizationFailed, .decodeFailed:
            self = .internalError
        }
    }
}
