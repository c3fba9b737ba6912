import OrderedJSON

/// The body of `POST /v1/internal/logits` (text-generation-webui): the next-token
/// distribution after `prompt`.
public struct LogitsRequest: Decodable, Sendable {
    public var prompt: String
    /// false: the raw softmax; true: the distribution after the request's sampler stages.
    public var useSamplers: Bool
    /// How many tokens to return.
    public var topLogits: Int
    public var options: GenerationOptions

    private enum CodingKeys: String, CodingKey {
        case prompt
        case useSamplers = "use_samplers"
        case topLogits = "top_logits"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(String.self, forKey: .prompt)
        useSamplers = try container.decodeIfPresent(Bool.self, forKey: .useSamplers) ?? false
        topLogits = try container.decodeIfPresent(Int.self, forKey: .topLogits) ?? 50
        (decoder as? any SchemaRecording)?.document([("top_logits", ["type": "integer", "minimum": 1, "maximum": 1000])])
        options = try GenerationOptions(from: decoder)
    }

    public func validate() throws(OpenAIError) {
        try options.validate()
        guard (1...1000).contains(topLogits) else {
            throw .invalidValue("top_logits", "expected a value between 1 and 1000, but got \(topLogits) instead.")
        }
    }
}

/// `{"<token text>": probability, …}`, most likely first, as text-generation-webui returns it.
public struct TokenProbabilities: JSONRepresentable {
    public var entries: [(text: String, probability: Double)]
    public init(entries: [(text: String, probability: Double)]) { self.entries = entries }
    public var json: JSON { .object(entries.map { ($0.text, .double($0.probability)) }) }
}
