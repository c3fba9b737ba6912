import OpenAIAPI
import OrderedJSON

/// One chat to run, in no protocol's words: what every protocol that chats (OpenAI's chat
/// completions, Responses, Anthropic's Messages, Ollama's chat and generate) maps its own typed
/// request to, in Swift, and what ``ChatSession`` runs.
///
/// Each protocol checks its own fields as it maps them, so a refusal names the field the client
/// sent (`stop_sequences[2]`, `options.repeat_penalty`, `input[3].content[0].type`); what is
/// found wrong later (a tool's schema, a prompt too long) is named through ``names``.
struct ChatJob: Sendable {
    /// The conversation as the chat template reads it: OpenAI-shaped message objects (`role`,
    /// `content`, `tool_calls`, `tool_call_id`, `reasoning_content`, `name`), members in order.
    var messages: [JSON]
    /// Function tools as the template reads them (`{"type": "function", "function": {…}}`).
    var tools: JSON?
    /// `"auto"`, `"none"`, `"required"` or `{"type": "function", "function": {"name": …}}`.
    var toolChoice: JSON?
    var parallelToolCalls = true
    /// text-generation-webui's prompt fields, and template variables (`enable_thinking`).
    var prompt = ChatPromptFields()
    /// Tokens to generate; `nil` means up to the end of the context.
    var maxTokens: Int?
    /// Samplers, stop strings, seed, choices, output constraint, adapters, speculation.
    var options = GenerationOptions()
    /// Report each token's log probability with this many alternatives; `nil` for none.
    var logprobs: Int?
    var stream = false
    /// Text evaluated before the rendered prompt, as is: Ollama's `context` (the conversation so
    /// far, as the tokens an earlier reply returned).
    var promptPrefix = ""
    /// How the client spelled the fields that later checks may refuse.
    var names = FieldNames()

    init(messages: [JSON]) { self.messages = messages }

    /// Names of the job's fields in the client's request, for refusals found after mapping.
    struct FieldNames: Sendable {
        /// What carried the conversation: `messages`, `input`, `prompt`.
        var messages = "messages"
        var toolChoice = "tool_choice"
        /// A declared tool's members in the client's words, by their OpenAI spelling:
        /// Anthropic's `input_schema` is OpenAI's `function.parameters`.
        var toolMembers: [String: String] = [:]

        /// `param` (OpenAI's spelling of a field of a declared tool, `tools[1].function.name`)
        /// in the client's words.
        func spelling(_ param: String) -> String {
            guard param.hasPrefix("tools["), let close = param.firstIndex(of: "]") else { return param }
            let rest = param[param.index(after: close)...]
            for (openAI, own) in toolMembers where rest.hasPrefix("." + openAI) {
                return String(param[...close]) + "." + own + rest.dropFirst(openAI.count + 1)
            }
            return param
        }
    }
}

extension ChatJob {
    /// An OpenAI chat completion request, already checked, as a job.
    init(_ body: ChatCompletionRequest) {
        self.init(messages: body.messagesJSON)
        tools = body.tools
        toolChoice = body.toolChoice
        parallelToolCalls = body.parallelToolCalls
        prompt = body.prompt
        maxTokens = body.maxTokens
        options = body.options
        logprobs = body.logprobs == true ? body.topLogprobs ?? 0 : nil
        stream = body.stream
    }
}
