import OrderedJSON

/// One choice of a chat completion.
public struct ChatChoice: JSONRepresentable {
    public var index: Int
    public var content: String?
    public var finishReason: FinishReason?
    public var logprobs: ChatLogprobs?
    /// The model's reasoning (its `<think>` block), present only when non-empty.
    public var reasoningContent: String?
    /// The tools the reply called; `message.tool_calls` is absent when empty.
    public var toolCalls: [ToolCall]

    public init(
        index: Int,
        content: String?,
        finishReason: FinishReason?,
        logprobs: ChatLogprobs? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCall] = []
    ) {
        self.index = index
        self.content = content
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.reasoningContent = reasoningContent
        self.toolCalls = toolCalls
    }

    public var json: JSON {
        var message: [(String, JSON)] = [("role", .string("assistant")), ("content", .optional(content))]
        if let reasoningContent, !reasoningContent.isEmpty { message.append(("reasoning_content", .string(reasoningContent))) }
        if !toolCalls.isEmpty { message.append(("tool_calls", .array(toolCalls.map(\.json)))) }
        message.append(("refusal", .null))
        return .object([
            ("index", .int(index)),
            ("message", .object(message)),
            ("logprobs", logprobs?.json ?? .null),
            ("finish_reason", finishReason.json),
        ])
    }
}

/// The body of a non-streamed `POST /v1/chat/completions` response.
public struct ChatCompletionResponse: JSONRepresentable {
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

    public var json: JSON {
        .object([
            ("id", .string(id)), ("object", .string("chat.completion")), ("created", .int(created)), ("model", .string(model)),
            ("choices", .array(choices.map(\.json))), ("usage", usage.json),
        ])
    }
}

/// One choice of a streamed chat chunk.
///
/// Besides OpenAI's `delta`, each chunk carries `message` with the same text:
/// text-generation-webui's documented streaming example reads `choices[0].message.content` from
/// every chunk, and OpenAI clients ignore the extra field.
public struct ChatChunkChoice: JSONRepresentable {
    public var index: Int
    /// `role` in the delta: only the first chunk of a choice has it.
    public var role: String?
    /// The new text; `nil` in the final chunk, whose delta is `{}`.
    public var content: String?
    public var finishReason: FinishReason?
    public var logprobs: ChatLogprobs?
    /// New reasoning text, sent as `delta.reasoning_content`.
    public var reasoningContent: String?
    /// Tool calls opening (index, id, type, name, `arguments: ""`) or growing (index, arguments).
    public var toolCalls: [ToolCallDelta]

    public init(
        index: Int,
        role: String? = nil,
        content: String?,
        finishReason: FinishReason?,
        logprobs: ChatLogprobs? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCallDelta] = []
    ) {
        self.index = index
        self.role = role
        self.content = content
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.reasoningContent = reasoningContent
        self.toolCalls = toolCalls
    }

    public var json: JSON {
        var delta: [(String, JSON)] = []
        if let role { delta.append(("role", .string(role))) }
        if let reasoningContent { delta.append(("reasoning_content", .string(reasoningContent))) }
        if let content { delta.append(("content", .string(content))) }
        if !toolCalls.isEmpty { delta.append(("tool_calls", .array(toolCalls.map(\.json)))) }
        return .object([
            ("index", .int(index)),
            ("delta", .object(delta)),
            ("message", .object([("role", .string("assistant")), ("content", .string(content ?? ""))])),
            ("logprobs", logprobs?.json ?? .null),
            ("finish_reason", finishReason.json),
        ])
    }
}

/// One `chat.completion.chunk` of a streamed chat response.
public struct ChatCompletionChunk: JSONRepresentable {
    public var id: String
    public var created: Int
    public var model: String
    public var choices: [ChatChunkChoice]
    public var usage: Usage?
    public var includesUsage: Bool

    public init(id: String, created: Int, model: String, choices: [ChatChunkChoice], usage: Usage? = nil, includesUsage: Bool) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.includesUsage = includesUsage
    }

    public var json: JSON {
        .object(
            [
                ("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .int(created)), ("model", .string(model)),
                ("choices", .array(choices.map(\.json))),
            ] + UsageField.members(usage, included: includesUsage)
        )
    }
}
