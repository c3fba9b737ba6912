import OpenAIAPI

/// A chat completion in OpenAI's shapes: `chat.completion.chunk` events (the role first for each
/// choice, usage last when asked for, then `[DONE]`), or one `chat.completion`.
struct ChatCompletionEncoder: ChatReplyEncoder {
    let frame: ResponseFrame
    let choices: Int
    let reportsLogprobs: Bool

    func start() -> [String] {
        (0..<choices).map { chunk(ChatChunkChoice(index: $0, role: "assistant", content: "", finishReason: nil)) }
    }

    func events(for delta: ChatDelta) -> [String] {
        [
            chunk(
                ChatChunkChoice(
                    index: delta.index,
                    content: delta.content,
                    finishReason: delta.finishReason,
                    logprobs: delta.logprobs.map(ChatLogprobs.init),
                    reasoningContent: delta.reasoning,
                    toolCalls: delta.toolCall.map { [$0] } ?? []
                )
            )
        ]
    }

    func finish(usage: Usage) -> [String] {
        let last = ChatCompletionChunk(id: frame.id, created: frame.created, model: frame.model, choices: [], usage: usage, includesUsage: true)
        return (frame.includesUsage ? [ServerSentEvents.event(last)] : []) + [ServerSentEvents.done]
    }

    func whole(_ folds: [ChatReplyFold], usage: Usage) -> any JSONRepresentable {
        let choices = folds.enumerated().map { $1.choice(index: $0, reportsLogprobs: reportsLogprobs) }
        return ChatCompletionResponse(id: frame.id, created: frame.created, model: frame.model, choices: choices, usage: usage)
    }

    private func chunk(_ choice: ChatChunkChoice) -> String {
        ServerSentEvents.event(
            ChatCompletionChunk(id: frame.id, created: frame.created, model: frame.model, choices: [choice], includesUsage: frame.includesUsage)
        )
    }
}
