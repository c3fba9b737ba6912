import LlamaEngine
import OpenAIAPI
import Prompting
import StructuredOutput

/// What one chunk of a streamed chat reply says about one choice: new reasoning, new content,
/// the logprobs of the tokens that text starts, or the end of the choice.
struct ChatDelta: ReplyDelta, Equatable {
    var index: Int
    var reasoning: String?
    var content: String?
    var logprobs: [LogprobEntry]?
    var finishReason: FinishReason?
    /// A tool call opening or growing.
    var toolCall: ToolCallDelta?
    /// With the finish reason: the stop string that ended the reply, if one did.
    var stopString: String?
}

/// The replies of a chat request's choices, made once from the engine's events through each
/// choice's ``ReplyPipeline``: the streamed response sends every ``ChatDelta`` as a chunk, the
/// non-streamed one folds the same deltas (``ChatReplyFold``). Nothing else post-processes
/// reply text, so the two responses cannot disagree.
struct ChatReplies: ReplyDeltas {
    let streams: GenerationStreams
    let namePrefixes: [String]
    let insideReasoning: Bool
    let reportsLogprobs: Bool
    /// Reads tool calls out of each choice's answer, when the request has tools.
    var toolParser: ToolCallParser? = nil

    /// Calls `body` with every delta of every choice, in the order they become certain.
    /// - Returns: the usage (the prompt counts once, whatever `n` is) and, with
    ///   ``GenerationStreams/keepsText``, each choice's raw text.
    func forEachDelta(_ body: (ChatDelta) async throws -> Void) async throws -> (usage: Usage, texts: [String]) {
        let count = streams.count
        var pipelines = [ReplyPipeline](repeating: ReplyPipeline(namePrefixes: namePrefixes, insideReasoning: insideReasoning), count: count)
        var pending = [[LogprobEntry]](repeating: [], count: count)
        /// Logprobs wait for a delta with text, so each chunk carries those of the tokens its
        /// text starts.
        func send(_ index: Int, _ piece: ReplyPipeline.Piece, finish: FinishReason? = nil, stopString: String? = nil) async throws {
            guard !piece.isEmpty || finish != nil else { return }
            let logprobs = reportsLogprobs && (!pending[index].isEmpty || finish == nil) ? pending[index] : nil
            pending[index] = []
            try await body(
                ChatDelta(
                    index: index,
                    reasoning: piece.reasoning.isEmpty ? nil : piece.reasoning,
                    content: piece.content.isEmpty ? nil : piece.content,
                    logprobs: logprobs,
                    finishReason: finish,
                    stopString: stopString
                )
            )
        }
        var parsers = [ToolCallParser?](repeating: toolParser, count: count)
        /// The answer goes through the tool-call parser: its content stays content, its calls
        /// become one delta per opening and per arguments fragment.
        func deliver(_ index: Int, _ piece: ReplyPipeline.Piece, finishing: Bool = false) async throws {
            guard var parser = parsers[index] else { return try await send(index, piece) }
            var events = piece.content.isEmpty ? [] : parser.feed(piece.content)
            if finishing { events += parser.finish() }
            parsers[index] = parser
            var text = ReplyPipeline.Piece(reasoning: piece.reasoning)
            for event in events {
                switch event {
                case .content(let content): text.content += content
                case .begin(let call, let name):
                    try await send(index, text)
                    text = ReplyPipeline.Piece()
                    try await body(
                        ChatDelta(index: index, toolCall: ToolCallDelta(index: call, opening: (ResponseID.make("call_"), name), arguments: ""))
                    )
                case .arguments(let call, let fragment):
                    try await send(index, text)
                    text = ReplyPipeline.Piece()
                    try await body(ChatDelta(index: index, toolCall: ToolCallDelta(index: call, arguments: fragment)))
                }
            }
            try await send(index, text)
        }
        return try await streams.read(countsPrompt: { $0 == 0 }) { index, event in
            switch event {
            case .logprobs(let entries):
                pending[index] += entries.map(LogprobEntry.init)
            case .text(let text):
                try await deliver(index, pipelines[index].feed(text))
            case .promptLogprobs:
                break
            case .finished(let summary):
                try await deliver(index, pipelines[index].finish(), finishing: true)
                var reason = FinishReason(summary.reason)
                if reason == .stop, let parser = parsers[index], parser.callCount > 0 { reason = .toolCalls }
                try await send(index, ReplyPipeline.Piece(), finish: reason, stopString: reason == .stop ? summary.stopString : nil)
            }
        }
    }
}

/// A non-streamed chat choice: the fold of its deltas.
struct ChatReplyFold: ReplyFold {
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var logprobs: [LogprobEntry] = []
    private(set) var finishReason: FinishReason?
    private(set) var toolCalls: [ToolCall] = []
    private(set) var stopString: String?

    mutating func add(_ delta: ChatDelta) {
        if let stop = delta.stopString { stopString = stop }
        content += delta.content ?? ""
        reasoning += delta.reasoning ?? ""
        logprobs += delta.logprobs ?? []
        if let reason = delta.finishReason { finishReason = reason }
        if let call = delta.toolCall {
            if let (id, name) = call.opening { toolCalls.append(ToolCall(id: id, name: name, arguments: "")) }
            toolCalls[call.index].arguments += call.arguments
        }
    }

    func choice(index: Int, reportsLogprobs: Bool) -> ChatChoice {
        ChatChoice(
            index: index,
            // With tool calls and no text, `content` is null, as OpenAI's.
            content: toolCalls.isEmpty || !content.isEmpty ? content : nil,
            finishReason: finishReason,
            logprobs: reportsLogprobs ? ChatLogprobs(entries: logprobs) : nil,
            reasoningContent: reasoning.isEmpty ? nil : reasoning,
            toolCalls: toolCalls
        )
    }
}
