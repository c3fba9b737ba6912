/// Token counts of one request, as OpenAI reports them.
public struct Usage: Encodable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int { promptTokens + completionTokens }

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
    }
}

/// Why a choice ended, as OpenAI's `finish_reason`.
public enum FinishReason: String, Encodable, Sendable {
    /// A stop string, an end-of-generation token, or a stop request.
    case stop
    /// `max_tokens` or the end of the context.
    case length
}

/// How a response body is streamed back: when `includeUsage` is set, every chunk carries
/// `"usage": null` and a last chunk with empty `choices` carries the usage.
struct ChunkUsage: Sendable {
    var include: Bool
    var usage: Usage?

    func encode<Key: CodingKey>(into container: inout KeyedEncodingContainer<Key>, forKey key: Key) throws {
        guard include else { return }
        try container.encode(usage, forKey: key)
    }
}
