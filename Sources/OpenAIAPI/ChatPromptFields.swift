import OrderedJSON

/// text-generation-webui's prompt fields of a chat request, typed, by their wire names
/// (`mode`, `instruction_template`, `instruction_template_str`, `character`, `name1` or
/// `user_name`, `name2` or `bot_name`, `context`, `greeting`, `user_bio`, `chat_template_str`,
/// `chat_instruct_command`, `continue_`). What each means is Prompting's `PromptRequest`'s
/// business; the server copies them there. `mode` is checked where prompts are built.
public struct ChatPromptFields: Decodable, Sendable {
    public var mode: String?
    public var instructionTemplate: String?
    public var instructionTemplateSource: String?
    public var character: String?
    public var userName: String?
    public var botName: String?
    public var context: String?
    public var greeting: String?
    public var userBio: String?
    public var chatTemplateSource: String?
    public var chatInstructCommand: String?
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
