import OrderedJSON

/// text-generation-webui's prompt fields of a chat request, typed: the mode, the instruction
/// template, the character and names, `continue_`, and the variables passed to the chat
/// template.
public struct ChatPromptFields: Decodable, Sendable {
    /// `mode`: `instruct`, `chat` or `chat-instruct` (checked where prompts are built).
    public var mode: String?
    /// `instruction_template`: a file name under the instruction-template folder.
    public var instructionTemplate: String?
    /// `instruction_template_str`: Jinja source, which wins over every other template.
    public var instructionTemplateSource: String?
    /// `character`: a file name under the character folder.
    public var character: String?
    /// `name1`, or `user_name`.
    public var userName: String?
    /// `name2`, or `bot_name`.
    public var botName: String?
    public var context: String?
    public var greeting: String?
    /// `user_bio`.
    public var userBio: String?
    /// `chat_template_str`: the template of `chat` mode.
    public var chatTemplateSource: String?
    /// `chat_instruct_command`, with `<|character|>` and `<|prompt|>` placeholders.
    public var chatInstructCommand: String?
    /// `continue_`: extend the last assistant message instead of starting a new one.
    public var continueLastMessage: Bool
    /// `enable_thinking`, `reasoning_effort`, `thinking_budget`, then the entries of
    /// `chat_template_kwargs`, in order: extra variables of the chat template.
    public var templateVariables: [(String, JSON)]

    public init() {
        continueLastMessage = false
        templateVariables = []
    }

    private enum CodingKeys: String, CodingKey {
        case mode, character, context, greeting
        case instructionTemplate = "instruction_template"
        case instructionTemplateSource = "instruction_template_str"
        case name1, name2
        case userName = "user_name"
        case botName = "bot_name"
        case userBio = "user_bio"
        case chatTemplateSource = "chat_template_str"
        case chatInstructCommand = "chat_instruct_command"
        case continueLastMessage = "continue_"
        case enableThinking = "enable_thinking"
        case reasoningEffort = "reasoning_effort"
        case thinkingBudget = "thinking_budget"
        case chatTemplateKwargs = "chat_template_kwargs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decodeIfPresent(String.self, forKey: .mode)
        instructionTemplate = try container.decodeIfPresent(String.self, forKey: .instructionTemplate)
        instructionTemplateSource = try container.decodeIfPresent(String.self, forKey: .instructionTemplateSource)
        character = try container.decodeIfPresent(String.self, forKey: .character)
        userName = try container.decodeIfPresent(String.self, forKey: .name1) ?? container.decodeIfPresent(String.self, forKey: .userName)
        botName = try container.decodeIfPresent(String.self, forKey: .name2) ?? container.decodeIfPresent(String.self, forKey: .botName)
        context = try container.decodeIfPresent(String.self, forKey: .context)
        greeting = try container.decodeIfPresent(String.self, forKey: .greeting)
        userBio = try container.decodeIfPresent(String.self, forKey: .userBio)
        chatTemplateSource = try container.decodeIfPresent(String.self, forKey: .chatTemplateSource)
        chatInstructCommand = try container.decodeIfPresent(String.self, forKey: .chatInstructCommand)
        continueLastMessage = try container.decodeIfPresent(Bool.self, forKey: .continueLastMessage) ?? false
        templateVariables = []
        for key in [CodingKeys.enableThinking, .reasoningEffort, .thinkingBudget] {
            if let value = try container.decodeIfPresent(JSON.self, forKey: key), !value.isNull {
                templateVariables.append((key.stringValue, value))
            }
        }
        switch try container.decodeIfPresent(JSON.self, forKey: .chatTemplateKwargs) {
        case .object(let members)?: templateVariables += members
        case nil, .null?: break
        default: throw OpenAIError.invalidType("chat_template_kwargs", expected: "an object")
        }
    }
}
