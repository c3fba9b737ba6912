import Jinja

/// What a chat request asks of prompt building: its messages and tools as the JSON the client
/// sent (key order kept, so `tojson` in templates writes them as sent), and
/// text-generation-webui's prompt fields. Built by the server from the typed request; prompt
/// building knows nothing of HTTP bodies.
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
