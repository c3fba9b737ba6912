import LlamaEngine
import OpenAIAPI
import Prompting

/// What one chunk of a streamed chat reply says about one choice: new reasoning, new content,
/// the logprobs of the tokens that text starts, or the end of the choice.
struct ChatDelta: Sendable, Equatable {
    var index: Int
    var reasoning: String?
    var content: String?
    var logprobs: [LogprobEntry]?
    var finishReason: FinishReason?
}

/// The replies of a chat request's choices, made once from the engine's events through each
/// choice's ``ReplyPipeline``: the streamed response sends every ``ChatDelta`` as a chunk, the
/// non-streamed one folds the same deltas (``ChatReplyFold``). Nothing else post-processes
/// reply text, so the two responses cannot disagree.
struct ChatReplies {
    let streams: [AsyncThrowingStream<GenerationEvent, any Error>]
    let namePrefixes: [String]
    let insideReasoning: Bool
    let reportsLogprobs: Bool
    /// Keep each choice's raw text, for debug logging.
    let keepsText: Bool

    /// Calls `body` with every delta of every choice, in the order they become certain.
    /// - Returns: the usage (the prompt counts once, whatever `n` is) and, with ``keepsText``,
    ///   each choice's raw text.
    func forEachDelta(_ body: (ChatDelta) async throws -> Void) async throws -> (usage: Usage, texts: [String]) {
        let count = streams.count
        var pipelines = [ReplyPipeline](repeating: ReplyPipeline(namePrefixes: namePrefixes, insideReasoning: insideReasoning), count: count)
        var pending = [[LogprobEntry]](repeating: [], count: count)
        /// Logprobs wait for a delta with text, so each chunk carries those of the tokens its
        /// text starts.
        func send(_ index: Int, _ piece: ReplyPipeline.Piece, finish: FinishReason? = nil) async throws {
            guard !piece.isEmpty || finish != nil else { return }
            let logprobs = reportsLogprobs && (!pending[index].isEmpty || finish == nil) ? pending[index] : nil
            pending[index] = []
            try await body(
                ChatDelta(
                    index: index,
                    reasoning: piece.reasoning.isEmpty ? nil : piece.reasoning,
                    content: piece.content.isEmpty ? nil : piece.content,
                    logprobs: logprobs,
                    finishReason: finish
                )
            )
        }
        return try await readChoices(streams, keepingText: keepsText, countsPrompt: { $0 == 0 }) { index, event in
            switch event {
            case .logprobs(let entries):
                pending[index] += entries.map(LogprobEntry.init)
            case .text(let text):
                try await send(index, pipelines[index].feed(text))
            case .promptLogprobs:
                break
            case .finished(let summary):
                try await send(index, pipelines[index].finish())
                try await send(index, ReplyPipeline.Piece(), finish: FinishReason(summary.reason))
            }
        }
    }
}

/// A non-streamed chat choice: the fold of its deltas.
struct ChatReplyFold {
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var logprobs: [LogprobEntry] = []
    private(set) var finishReason: FinishReason?

    mutating func add(_ delta: ChatDelta) {
        content += delta.content ?? ""
        reasoning += delta.reasoning ?? ""
        logprobs += delta.logprobs ?? []
        if let reason = delta.finishReason { finishReason = reason }
    }

    func choice(index: Int, reportsLogprobs: Bool) -> ChatChoice {
        ChatChoice(
            index: index,
            content: content,
            finishReason: finishReason,
            logprobs: reportsLogprobs ? ChatLogprobs(entries: logprobs) : nil,
            reasoningContent: reasoning.isEmpty ? nil : reasoning
        )
    }
}
