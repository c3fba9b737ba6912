import OrderedJSON

/// The body of `POST /v1/chat/completions`, decoded once: typed fields for validation and
/// generation, and the messages and tools as the client sent them (key order kept) for the chat
/// template.
public struct ChatCompletionRequest: Decodable, Sendable {
    public var messages: [ChatMessage]
    /// The same messages as JSON objects, every member kept in order (`tool_calls`,
    /// `reasoning_content`, …): what the chat template renders.
    public var messagesJSON: [JSON]
    /// The `tools` array, absent when empty.
    public var tools: JSON?
    /// `tool_choice` as sent (read against the tools by the server).
    public var toolChoice: JSON?
    /// `parallel_tool_calls` (default true).
    public var parallelToolCalls: Bool
    /// text-generation-webui's prompt fields.
    public var prompt: ChatPromptFields
    public var model: String?
    /// Tokens to generate; `nil` (and no `max_completion_tokens`) means up to the context end.
    public var maxTokens: Int?
    /// `max_completion_tokens` as sent.
    var maxCompletionTokens: Int?
    public var stream: Bool
    public var streamOptions: StreamOptions?
    /// Report each generated token's log probability.
    public var logprobs: Bool?
    /// Alternatives reported per token (0...20, with `logprobs`).
    public var topLogprobs: Int?
    public var options: GenerationOptions

    private enum CodingKeys: String, CodingKey {
        case messages, model, stream, logprobs, tools
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
        case topLogprobs = "top_logprobs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            let function: JSON = [
                "type": "object",
                "properties": [
                    "name": ["type": "string"], "description": ["type": "string"], "parameters": ["type": "object"], "strict": ["type": "boolean"],
                ],
                "required": ["name"],
            ]
            recorder.document([
                ("tools", ["type": "array", "items": ["type": "object", "properties": ["type": ["const": "function"], "function": function]]]),
                ("tool_choice", ["anyOf": [["type": "string", "enum": ["none", "auto", "required"]], ["type": "object"]]]),
                ("max_tokens", ["type": "integer", "minimum": 1]), ("max_completion_tokens", ["type": "integer", "minimum": 1]),
                ("top_logprobs", ["type": "integer", "minimum": 0, "maximum": 20, "description": "with logprobs: true"]),
            ])
        }
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        messagesJSON = try container.decode([JSON].self, forKey: .messages)
        switch try container.decodeIfPresent(JSON.self, forKey: .tools) {
        case .array(let list)?: tools = list.isEmpty ? nil : .array(list)
        case nil, .null?: tools = nil
        default: throw OpenAIError.invalidType("tools", expected: "an array of tools")
        }
        toolChoice = try container.decodeIfPresent(JSON.self, forKey: .toolChoice)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        prompt = try ChatPromptFields(from: decoder)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        // Either names the limit; with both, max_tokens counts, and each must be valid.
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens) ?? maxCompletionTokens
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try container.decodeIfPresent(Int.self, forKey: .topLogprobs)
        options = try GenerationOptions(from: decoder)
    }

    /// Checks ranges and message structure; throws an error naming the first bad field.
    public func validate() throws(OpenAIError) {
        if messages.isEmpty {
            throw .invalidValue("messages", "expected an array with minimum length 1, but got an empty array instead.")
        }
        for (index, message) in messages.enumerated() {
            try message.validate(at: "messages[\(index)]")
        }
        try options.validate()
        for (field, limit) in [("max_completion_tokens", maxCompletionTokens), ("max_tokens", maxTokens)] {
            if let limit, limit < 1 {
                throw .invalidValue(field, "integer below minimum value. Expected a value >= 1, but got \(limit) instead.")
            }
        }
        if let topLogprobs {
            guard (0...20).contains(topLogprobs) else {
                throw .invalidValue("top_logprobs", "expected a value between 0 and 20, but got \(topLogprobs) instead.")
            }
            guard logprobs == true else { throw .invalidValue("top_logprobs", "`logprobs` must be true when `top_logprobs` is set.") }
        }
    }
}

/// One message of a chat.
public struct ChatMessage: Decodable, Sendable, Equatable {
    /// The roles a chat template can render.
    public static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    public var role: String
    /// The text: a plain string, or the concatenation of the `text` parts.
    public var content: String?
    public var name: String?
    public var toolCallID: String?
    /// Types of content parts other than `text`, kept so validation can name them.
    var unsupportedPartTypes: [(index: Int, type: String)] = []

    public init(role: String, content: String?, name: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
    }

    private enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCallID = "tool_call_id"
    }

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            let part: JSON = ["type": "object", "properties": ["type": ["type": "string"], "text": ["type": "string"]], "required": ["type"]]
            recorder.document([
                ("role", ["type": "string", "enum": .array(Self.roles.sorted().map(JSON.string))]),
                ("content", ["anyOf": [["type": "string"], ["type": "array", "items": part], ["type": "null"]]]),
            ])
        }
        role = try container.decode(String.self, forKey: .role)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        if try !container.contains(.content) || container.decodeNil(forKey: .content) {
            content = nil
        } else if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else if let parts = try? container.decode([Part].self, forKey: .content) {
            content = parts.compactMap(\.text).joined()
            unsupportedPartTypes = parts.enumerated().filter { $0.element.type != "text" }.map { ($0.offset, $0.element.type) }
        } else {
            throw OpenAIError.invalidType(
                RequestDecoder.path(decoder.codingPath + [CodingKeys.content]),
                expected: "a string or an array of content parts"
            )
        }
    }

    func validate(at path: String) throws(OpenAIError) {
        guard Self.roles.contains(role) else {
            throw .invalidValue(
                "\(path).role",
                "'\(role)' is not one of \(Self.roles.sorted().map { "'\($0)'" }.joined(separator: ", "))."
            )
        }
        if let part = unsupportedPartTypes.first {
            throw .invalidValue("\(path).content[\(part.index)].type", "content parts of type '\(part.type)' are not supported; use 'text'.")
        }
        if content == nil && role != "assistant" {
            throw .missingParameter("\(path).content")
        }
    }

    public static func == (lhs: ChatMessage, rhs: ChatMessage) -> Bool {
        lhs.role == rhs.role && lhs.content == rhs.content && lhs.name == rhs.name && lhs.toolCallID == rhs.toolCallID
    }
}
