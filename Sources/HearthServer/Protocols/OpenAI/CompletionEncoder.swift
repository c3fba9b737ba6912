import OpenAIAPI

/// A text completion in OpenAI's shapes: a `text_completion` object per chunk (usage last when
/// asked for, then `[DONE]`), or one whole. The old engines API's `generate` lists the choices
/// as `data` (``choicesKey``).
struct CompletionEncoder: ReplyEncoder {
    let frame: ResponseFrame
    let choicesKey: String
    let reportsLogprobs: Bool

    func start() -> [String] { [] }

    func events(for delta: CompletionDelta) -> [String] {
        var chunk = response(
            choices: [CompletionChoice(index: delta.index, text: delta.text, finishReason: delta.finishReason, logprobs: delta.logprobs)],
            usage: nil
        )
        chunk.includesUsage = frame.includesUsage
        return [ServerSentEvents.event(chunk)]
    }

    func finish(usage: Usage) -> [String] {
        (frame.includesUsage ? [ServerSentEvents.event(response(choices: [], usage: usage))] : []) + [ServerSentEvents.done]
    }

    func whole(_ folds: [CompletionReplyFold], usage: Usage) -> any JSONRepresentable {
        response(choices: folds.enumerated().map { $1.choice(index: $0, reportsLogprobs: reportsLogprobs) }, usage: usage)
    }

    /// The whole response, or the stream's last event with `usage`.
    func response(choices: [CompletionChoice], usage: Usage?) -> CompletionResponse {
        var response = CompletionResponse(id: frame.id, created: frame.created, model: frame.model, choices: choices, usage: usage)
        response.choicesKey = choicesKey
        return response
    }
}
