import OrderedJSON

/// The body of `POST /v1/completions`.
public struct CompletionRequest: Decodable, Sendable {
    /// The prompts: one string, or several (one choice each).
    public var prompts: [String]
    public var model: String?
    /// Tokens to generate; `nil` means the server default (512, as text-generation-webui).
    public var maxTokens: Int?
    /// Prefix each choice's text with its prompt.
    public var echo: Bool
    /// Text appended after the completion.
    public var suffix: String?
    public var stream: Bool
    public var streamOptions: StreamOptions?
    /// Report each token's log probability with this many alternatives (0...20); with `echo`, the
    /// prompt's tokens too.
    public var logprobs: Int?
    public var options: GenerationOptions

    private enum CodingKeys: String, CodingKey {
        case prompt, model, echo, suffix, stream, logprobs
        case maxTokens = "max_tokens"
        case streamOptions = "stream_options"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        (decoder as? any SchemaRecording)?.document([
            ("max_tokens", ["type": "integer", "minimum": 0, "description": "0 only with echo: the prompt alone comes back"]),
            ("logprobs", ["type": "integer", "minimum": 0, "maximum": 20]),
        ])
        guard container.contains(.prompt) else { throw OpenAIError.missingParameter("prompt") }
        prompts = try container.decode(OneOrMany<String>.self, forKey: .prompt).values
        model = try container.decodeIfPresent(String.self, forKey: .model)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        echo = try container.decodeIfPresent(Bool.self, forKey: .echo) ?? false
        suffix = try container.decodeIfPresent(String.self, forKey: .suffix)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        logprobs = try container.decodeIfPresent(Int.self, forKey: .logprobs)
        options = try GenerationOptions(from: decoder)
    }

    /// Checks ranges and combinations; throws an error naming the first bad field.
    public func validate() throws(OpenAIError) {
        try options.validate()
        if prompts.isEmpty { throw .invalidValue("prompt", "expected at least one prompt.") }
        if let maxTokens {
            if maxTokens < 0 {
                throw .invalidValue("max_tokens", "integer below minimum value. Expected a value >= 0, but got \(maxTokens) instead.")
            }
            if maxTokens == 0 && !echo {
                throw .invalidValue("max_tokens", "0 is only allowed together with echo.")
            }
        }
        if let logprobs, !(0...20).contains(logprobs) {
            throw .invalidValue("logprobs", "expected a value between 0 and 20, but got \(logprobs) instead.")
        }
    }
}
