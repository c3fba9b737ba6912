import LlamaEngine
import OpenAIAPI

/// The engine's event streams of one request's choices, and what reading them keeps beside the
/// reply: the usage, first-token latencies and token counts (`--metrics`), and each choice's raw
/// text when debug logging asks for it. ``ChatReplies`` and ``CompletionReplies`` read through it.
struct GenerationStreams: Sendable {
    let streams: [AsyncThrowingStream<GenerationEvent, any Error>]
    /// Keep each choice's raw text, for debug logging.
    let keepsText: Bool
    /// Where tokens and latencies are counted (`--metrics`).
    let metrics: ServerMetrics?

    var count: Int { streams.count }

    init(_ streams: [AsyncThrowingStream<GenerationEvent, any Error>], keepsText: Bool = false, metrics: ServerMetrics? = nil) {
        self.streams = streams
        self.keepsText = keepsText
        self.metrics = metrics
    }

    /// The streams, kept and counted as the server is configured to.
    init(_ streams: [AsyncThrowingStream<GenerationEvent, any Error>], configuration: ServerConfiguration) {
        self.init(streams, keepsText: configuration.logsUserText, metrics: configuration.metrics)
    }

    /// Reads every choice's events to their ends, in arrival order, passing each to `body`: the
    /// bookkeeping every reply kind shares. Usage counts each prompt once (`countsPrompt(choice)`
    /// is true for one choice per prompt). A stream that ends without its summary was withdrawn:
    /// its client has gone, and this throws `CancellationError`.
    /// - Returns: the usage and, with ``keepsText``, each choice's raw text.
    func read(
        countsPrompt: (Int) -> Bool,
        _ body: (Int, GenerationEvent) async throws -> Void
    ) async throws -> (usage: Usage, texts: [String]) {
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        var texts = [String](repeating: "", count: keepsText ? streams.count : 0)
        var finished = 0
        let started = ContinuousClock.now
        var waiting = Set(streams.indices)
        try await forEachEvent(of: streams) { index, event in
            switch event {
            case .text(let text):
                if keepsText { texts[index] += text }
                if let metrics, waiting.remove(index) != nil { metrics.observeFirstToken(after: started.duration(to: .now)) }
            case .finished(let summary):
                if countsPrompt(index) {
                    usage.promptTokens += summary.promptTokens
                    usage.cachedPromptTokens += summary.cachedPromptTokens
                }
                usage.completionTokens += summary.completionTokens
                usage.acceptedPredictionTokens += summary.speculation?.predictionAccepted ?? 0
                usage.rejectedPredictionTokens += summary.speculation?.predictionRejected ?? 0
                metrics?.observe(summary, countsPrompt: countsPrompt(index))
                finished += 1
            default: break
            }
            try await body(index, event)
        }
        guard finished == streams.count else { throw CancellationError() }
        return (usage, texts)
    }
}

/// Calls `body` with each event of several generations as it arrives, tagged with the index of
/// its stream. A single stream is read directly, without a relay task.
private func forEachEvent(
    of streams: [AsyncThrowingStream<GenerationEvent, any Error>],
    _ body: (Int, GenerationEvent) async throws -> Void
) async throws {
    if streams.count == 1 {
        for try await event in streams[0] { try await body(0, event) }
        return
    }
    let (merged, continuation) = AsyncThrowingStream<(Int, GenerationEvent), any Error>.makeStream()
    let relay = Task {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, stream) in streams.enumerated() {
                    group.addTask { for try await event in stream { continuation.yield((index, event)) } }
                }
                try await group.waitForAll()
            }
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }
    defer { relay.cancel() }
    for try await (index, event) in merged { try await body(index, event) }
}
