/// One choice of a text completion, in a full response or a stream chunk.
public struct CompletionChoice: Encodable, Sendable {
    public var index: Int
    public var text: String
    public var finishReason: FinishReason?

    public init(index: Int, text: String, finishReason: FinishReason?) {
        self.index = index
        self.text = text
        self.finishReason = finishReason
    }

    private enum CodingKeys: String, CodingKey {
        case text, index, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(index, forKey: .index)
        try container.encodeNil(forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// The body of a non-streamed `POST /v1/completions` response, and of each streamed chunk
/// (OpenAI uses the same `text_completion` object for both).
public struct CompletionResponse: Encodable, Sendable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [CompletionChoice]
    public var usage: Usage?
    /// For stream chunks: whether `usage` is part of every chunk (as `null` until the last).
    public var streamIncludesUsage: Bool?

    public init(
        id: String, created: Int, model: String, choices: [CompletionChoice], usage: Usage?, streamIncludesUsage: Bool? = nil
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.streamIncludesUsage = streamIncludesUsage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("text_completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try ChunkUsage(include: streamIncludesUsage ?? true, usage: usage).encode(into: &container, forKey: .usage)
    }
}
