import LlamaEngine
import OpenAIAPI

/// What one chunk of a streamed completion says about one choice: text (the echoed prompt, new
/// text, or the suffix at the end) and the logprobs of the tokens it starts.
struct CompletionDelta: ReplyDelta {
    var index: Int
    var text: String
    var logprobs: CompletionLogprobs?
    var finishReason: FinishReason?
}

/// The replies of a completion request's choices, made once from the engine's events: the
/// streamed response sends every ``CompletionDelta`` as a chunk, the non-streamed one folds the
/// same deltas (``CompletionReplyFold``).
///
/// Choices are ordered by prompt, then by `n`: choice `p * n + k` is the `k`th completion of
/// prompt `p`, as OpenAI orders them.
struct CompletionReplies: ReplyDeltas {
    let streams: GenerationStreams
    let prompts: [String]
    let choicesPerPrompt: Int
    let echo: Bool
    let suffix: String?
    /// `logprobs` was asked for (with `echo`, the prompt's tokens come first).
    let reportsLogprobs: Bool

    func prompt(of choice: Int) -> String { prompts[choice / choicesPerPrompt] }

    /// Calls `body` with every delta of every choice, in order.
    /// - Returns: the usage (each prompt counts once, whatever `n` is) and, with
    ///   ``GenerationStreams/keepsText``, each choice's generated text.
    func forEachDelta(_ body: (CompletionDelta) async throws -> Void) async throws -> (usage: Usage, texts: [String]) {
        var pending = [[LogprobEntry]](repeating: [], count: streams.count)
        var offsets = [Int](repeating: 0, count: streams.count)
        func takeLogprobs(_ index: Int) -> CompletionLogprobs? {
            guard reportsLogprobs else { return nil }
            defer {
                offsets[index] += CompletionLogprobs.characterCount(of: pending[index])
                pending[index] = []
            }
            return CompletionLogprobs(entries: pending[index], startOffset: offsets[index])
        }
        // Without prompt logprobs the echo goes out at once; with them, when they arrive.
        if echo && !reportsLogprobs {
            for index in streams.streams.indices { try await body(CompletionDelta(index: index, text: prompt(of: index))) }
        }
        return try await streams.read(countsPrompt: { $0 % choicesPerPrompt == 0 }) {
            index,
            event in
            switch event {
            case .promptLogprobs(let entries):
                pending[index] = entries.map(LogprobEntry.init)
                try await body(CompletionDelta(index: index, text: prompt(of: index), logprobs: takeLogprobs(index)))
            case .logprobs(let entries):
                pending[index] += entries.map(LogprobEntry.init)
            case .text(let text):
                try await body(CompletionDelta(index: index, text: text, logprobs: takeLogprobs(index)))
            case .finished(let summary):
                try await body(
                    CompletionDelta(index: index, text: suffix ?? "", logprobs: takeLogprobs(index), finishReason: FinishReason(summary.reason))
                )
            }
        }
    }
}

/// A non-streamed completion choice: the fold of its deltas.
struct CompletionReplyFold: ReplyFold {
    private(set) var text = ""
    private(set) var logprobs: [LogprobEntry] = []
    private(set) var finishReason: FinishReason?

    mutating func add(_ delta: CompletionDelta) {
        text += delta.text
        logprobs += delta.logprobs?.entries ?? []
        if let reason = delta.finishReason { finishReason = reason }
    }

    func choice(index: Int, reportsLogprobs: Bool) -> CompletionChoice {
        CompletionChoice(
            index: index,
            text: text,
            finishReason: finishReason,
            logprobs: reportsLogprobs ? CompletionLogprobs(entries: logprobs, startOffset: 0) : nil
        )
    }
}
