/// text-generation-webui's chat modes.
public enum ChatMode: String, Sendable, CaseIterable {
    /// The messages rendered with the instruction template (the model's own by default).
    case instruct
    /// A transcript (`You: …` / `AI: …`) rendered with the chat template, after the character's
    /// context.
    case chat
    /// The chat transcript wrapped in an instruction ("Continue the chat dialogue below…"),
    /// rendered with the instruction template.
    case chatInstruct = "chat-instruct"
}
