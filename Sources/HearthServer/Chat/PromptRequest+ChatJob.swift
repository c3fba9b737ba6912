import Jinja
import OpenAIAPI
import Prompting

extension PromptRequest {
    /// What prompt building needs of a chat job: its messages and tools, and
    /// text-generation-webui's prompt fields.
    /// - Throws: 400 naming `mode` when it is not a chat mode.
    init(_ job: ChatJob) throws(OpenAIError) {
        self.init(messages: job.messages.map(Value.init), tools: job.tools.map(Value.init))
        let fields = job.prompt
        if let mode = fields.mode {
            guard let parsed = ChatMode(rawValue: mode) else {
                throw .invalidValue("mode", "'\(mode)' is not one of \(ChatMode.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")).")
            }
            self.mode = parsed
        }
        instructionTemplate = fields.instructionTemplate
        instructionTemplateSource = fields.instructionTemplateSource
        character = fields.character
        userName = fields.userName
        botName = fields.botName
        context = fields.context
        greeting = fields.greeting
        userBio = fields.userBio
        chatTemplateSource = fields.chatTemplateSource
        chatInstructCommand = fields.chatInstructCommand
        continueLastMessage = fields.continueLastMessage
        for (name, value) in fields.templateVariables { templateVariables[name] = Value(value) }
    }
}
