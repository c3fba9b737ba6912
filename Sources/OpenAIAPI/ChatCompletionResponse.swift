/// The assistant message of a chat choice (also used for the `delta` of stream chunks, where
/// absent fields are left out).
public struct AssistantMessage: Encodable, Sendable, Equatable {
    public var role: String?
    public var content: String?

    public init(role: String? = "assistant", content: String?) {
        self.role = role
        self.content = content
    }
}

/// One choice of a chat completion.
public struct ChatChoice: Encodable, Sendable {
    public var index: Int
    public var message: AssistantMessage
    public var finishReason: FinishReason?

    public init(index: Int, message: AssistantMessage, finishReason: FinishReason?) {
        self.index = index
        self.message = message
        self.finishReason = finishReason
    }

    private enum CodingKeys: String, CodingKey {
        case index, message, logprobs
        case finishReason = "finish_reason"
    }

    private enum MessageKeys: String, CodingKey { case role, content, refusal }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        var message = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .message)
        try message.encode(self.message.role ?? "assistant", forKey: .role)
        try message.encode(self.message.content, forKey: .content)
        try message.encodeNil(forKey: .refusal)
        try container.encodeNil(forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// The body of a non-streamed `POST /v1/chat/completions` response.
public struct ChatCompletionResponse: Encodable, Sendable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [ChatChoice]
    public var usage: Usage

    public init(id: String, created: Int, model: String, choices: [ChatChoice], usage: Usage) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("chat.completion", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encode(usage, forKey: .usage)
    }
}

/// One choice of a streamed chat chunk.
///
/// Besides OpenAI's `delta`, each chunk carries `message` with the same text: text-generation-
/// webui's documented streaming example reads `choices[0].message.content` from every chunk, and
/// OpenAI clients ignore the extra field.
public struct ChatChunkChoice: Encodable, Sendable {
    public var index: Int
    public var delta: AssistantMessage
    public var finishReason: FinishReason?

    public init(index: Int, delta: AssistantMessage, finishReason: FinishReason?) {
        self.index = index
        self.delta = delta
        self.finishReason = finishReason
    }

    private enum CodingKeys: String, CodingKey {
        case index, delta, message, logprobs
        case finishReason = "finish_reason"
    }

    private enum DeltaKeys: String, CodingKey { case role, content }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        var delta = container.nestedContainer(keyedBy: DeltaKeys.self, forKey: .delta)
        try delta.encodeIfPresent(self.delta.role, forKey: .role)
        try delta.encodeIfPresent(self.delta.content, forKey: .content)
        var message = container.nestedContainer(keyedBy: DeltaKeys.self, forKey: .message)
        try message.encode("assistant", forKey: .role)
        try message.encode(self.delta.content ?? "", forKey: .content)
        try container.encodeNil(forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// One `chat.completion.chunk` of a streamed chat response.
public struct ChatCompletionChunk: Encodable, Sendable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [ChatChunkChoice]
    public var usage: Usage?
    public var includeUsage: Bool

    public init(id: String, created: Int, model: String, choices: [ChatChunkChoice], usage: Usage? = nil, includeUsage: Bool) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.includeUsage = includeUsage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("chat.completion.chunk", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try ChunkUsage(include: includeUsage, usage: usage).encode(into: &container, forKey: .usage)
    }
}
