import Jinja

/// What a chat request asks of prompt building: its messages and tools as the JSON the client
/// sent (key order kept, so `tojson` in templates writes them as sent), and
/// text-generation-webui's prompt fields.
public struct PromptRequest: Sendable {
    /// OpenAI messages, as JSON objects.
    public var messages: [Value]
    /// The `tools` array, if any.
    public var tools: Value?
    public var mode: ChatMode = .instruct
    /// `instruction_template`: a file name under the instruction-template directory.
    public var instructionTemplate: String?
    /// `instruction_template_str`: Jinja source, which wins over every other template.
    public var instructionTemplateSource: String?
    /// `character`: a file name under the character directory.
    public var character: String?
    /// `name1` / `user_name`.
    public var userName: String?
    /// `name2` / `bot_name`.
    public var botName: String?
    public var context: String?
    public var greeting: String?
    public var userBio: String?
    /// `chat_template_str`: the template of `chat` mode.
    public var chatTemplateSource: String?
    /// `chat_instruct_command`, with `<|character|>` and `<|prompt|>` placeholders.
    public var chatInstructCommand: String?
    /// `continue_`: extend the last assistant message instead of starting a new one.
    public var continueLastMessage = false
    /// Extra template variables: `enable_thinking`, `reasoning_effort` and
    /// `chat_template_kwargs`' entries.
    public var templateVariables: [String: Value] = [:]

    public init(messages: [Value], tools: Value? = nil) {
        self.messages = messages
        self.tools = tools
    }

    /// Reads the fields from the JSON text of a request body.
    public init(jsonText: String) throws(PromptError) {
        let json: Value
        do {
            json = try Value(jsonText: jsonText)
        } catch {
            throw .invalidField("messages", "the body is not valid JSON")
        }
        try self.init(json: json)
    }

    /// Reads the fields from a request body; a field of the wrong type is an error naming it.
    public init(json: Value) throws(PromptError) {
        guard case .object(let body) = json, case .array(let messages) = body["messages"] else {
            throw .invalidField("messages", "expected an array of messages")
        }
        self.init(messages: messages)
        func text(_ keys: String...) throws(PromptError) -> String? {
            for key in keys {
                switch body[key] {
                case nil, .none?: continue
                case .string(let value)?: return value
                default: throw .invalidField(key, "expected a string")
                }
            }
            return nil
        }
        if let tools = body["tools"] {
            switch tools {
            case .none: break
            case .array(let list): self.tools = list.isEmpty ? nil : tools
            default: throw .invalidField("tools", "expected an array of tools")
            }
        }
        if let mode = try text("mode") {
            guard let parsed = ChatMode(rawValue: mode) else {
                throw .invalidField("mode", "'\(mode)' is not one of 'instruct', 'chat', 'chat-instruct'")
            }
            self.mode = parsed
        }
        instructionTemplate = try text("instruction_template")
        instructionTemplateSource = try text("instruction_template_str")
        character = try text("character")
        userName = try text("name1", "user_name")
        botName = try text("name2", "bot_name")
        context = try text("context")
        greeting = try text("greeting")
        userBio = try text("user_bio")
        chatTemplateSource = try text("chat_template_str")
        chatInstructCommand = try text("chat_instruct_command")
        switch body["continue_"] {
        case nil, .none?: break
        case .bool(let flag)?: continueLastMessage = flag
        default: throw .invalidField("continue_", "expected a boolean")
        }
        for key in ["enable_thinking", "reasoning_effort", "thinking_budget"] {
            if let value = body[key], !value.isNone { templateVariables[key] = value }
        }
        switch body["chat_template_kwargs"] {
        case nil, .none?: break
        case .object(let kwargs)?: for (key, value) in kwargs.pairs { templateVariables[key] = value }
        default: throw .invalidField("chat_template_kwargs", "expected an object")
        }
    }
}

extension PromptRequest {
    /// The `role` of a message, for callers without the Jinja module.
    public static func role(of message: Value) -> String? { message["role"]?.string }
}

extension Value {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// The member `key` of an object.
    subscript(key: String) -> Value? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The text of a string value.
    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
