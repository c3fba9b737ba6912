import OpenAIAPI
import OrderedJSON

/// Response values the documented schemas are read from: one rich, one sparse, so that members
/// which may be null or absent show as such.
enum APIExamples {
    static let usage = Usage(promptTokens: 12, completionTokens: 5)
    static let token = LogprobEntry(token: "Hi", bytes: [72, 105], logprob: -0.25, top: [.init(token: "Hello", bytes: [72, 101], logprob: -1.5)])
    static let model = ModelObject(id: "qwen2.5-coder-0.5b-instruct-q4_k_m", created: 1_700_000_000)

    static let chat: [any JSONRepresentable] = [
        ChatCompletionResponse(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                ChatChoice(
                    index: 0,
                    content: "Hi!",
                    finishReason: .stop,
                    logprobs: ChatLogprobs(entries: [token]),
                    reasoningContent: "The user greets.",
                    toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: "{\"city\":\"Paris\"}")]
                )
            ],
            usage: usage
        ),
        ChatCompletionResponse(
            id: "chatcmpl-2",
            created: 1_700_000_000,
            model: model.id,
            choices: [ChatChoice(index: 0, content: nil, finishReason: .toolCalls)],
            usage: usage
        ),
    ]

    static let chatChunks: [any JSONRepresentable] = [
        ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                ChatChunkChoice(
                    index: 0,
                    role: "assistant",
                    content: "Hi",
                    finishReason: nil,
                    logprobs: ChatLogprobs(entries: [token]),
                    reasoningContent: "x",
                    toolCalls: [ToolCallDelta(index: 0, opening: ("call_1", "get_weather"), arguments: "{")]
                )
            ],
            usage: nil,
            includesUsage: true
        ),
        ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [ChatChunkChoice(index: 0, content: nil, finishReason: .stop)],
            includesUsage: false
        ),
        ChatCompletionChunk(id: "chatcmpl-1", created: 1_700_000_000, model: model.id, choices: [], usage: usage, includesUsage: true),
    ]

    static let completion: [any JSONRepresentable] = [
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [
                CompletionChoice(index: 0, text: " world", finishReason: .length, logprobs: CompletionLogprobs(entries: [token], startOffset: 0))
            ],
            usage: usage
        ),
        CompletionResponse(
            id: "cmpl-2",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: "!", finishReason: .stop)],
            usage: usage
        ),
    ]

    static let completionChunks: [any JSONRepresentable] = [
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: " wor", finishReason: nil)],
            usage: nil,
            includesUsage: true
        ),
        CompletionResponse(
            id: "cmpl-1",
            created: 1_700_000_000,
            model: model.id,
            choices: [CompletionChoice(index: 0, text: "ld", finishReason: .stop, logprobs: CompletionLogprobs(entries: [token], startOffset: 4))],
            usage: nil,
            includesUsage: false
        ),
        CompletionResponse(id: "cmpl-1", created: 1_700_000_000, model: model.id, choices: [], usage: usage, includesUsage: true),
    ]

    static let errors: [OpenAIError] = [
        .invalidValue("temperature", "expected a value between 0 and 2, but got 3 instead."),
        OpenAIError(status: 404, message: "The model 'x' does not exist", type: "invalid_request_error", param: "model", code: "model_not_found"),
        .malformedJSON,
    ]
}
