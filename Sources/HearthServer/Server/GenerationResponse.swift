import Hummingbird
import LlamaEngine
import Logging
import NIOCore
import OpenAIAPI

/// Starts `choices` generations of one prompt, mapping engine errors to OpenAI errors (raised
/// before any response byte is sent, so they arrive as proper 4xx responses).
func startGeneration(
    _ engine: any GenerationEngine,
    _ request: GenerationRequest,
    choices: Int = 1,
    promptParam: String,
    grammarParam: String = "grammar_string"
) throws(OpenAIError) -> [AsyncThrowingStream<GenerationEvent, any Error>] {
    do {
        return try engine.generate(request, choices: choices)
    } catch {
        throw OpenAIError(error, param: promptParam, grammarParam: grammarParam)
    }
}

/// Reads every choice's events to their ends, in arrival order, passing each to `body`: the
/// bookkeeping both reply kinds share. Usage counts each prompt once (`countsPrompt(choice)` is
/// true for one choice per prompt); each choice's raw text is kept only when `keepingText` (debug
/// logging). A stream that ends without its summary was withdrawn: its client has gone, and
/// this throws `CancellationError`.
func readChoices(
    _ streams: [AsyncThrowingStream<GenerationEvent, any Error>],
    keepingText: Bool,
    metrics: ServerMetrics?,
    countsPrompt: (Int) -> Bool,
    _ body: (Int, GenerationEvent) async throws -> Void
) async throws -> (usage: Usage, texts: [String]) {
    var usage = Usage(promptTokens: 0, completionTokens: 0)
    var texts = [String](repeating: "", count: keepingText ? streams.count : 0)
    var finished = 0
    let started = ContinuousClock.now
    var waiting = Set(streams.indices)
    try await forEachEvent(of: streams) { index, event in
        switch event {
        case .text(let text):
            if keepingText { texts[index] += text }
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

/// Calls `body` with each event of several generations as it arrives, tagged with the index of
/// its stream. A single stream is read directly, without a relay task.
func forEachEvent(
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

extension Request {
    /// Runs `operation`, cancelling it (and with it the generation it awaits) as soon as the
    /// client closes its side of the connection.
    func cancellingOnDisconnect<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        InboundWatch.current?.markStarted()
        return try await body.consumeWithCancellationOnInboundClose { _ in try await operation() }
    }
}

/// Response headers of a generation. The connection is closed after the response because
/// disconnect detection reads the connection's inbound side to its end.
enum GenerationResponse {
    static func json(_ value: some JSONRepresentable) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json", .connection: "close"],
            body: .init(byteBuffer: ByteBuffer(string: value.jsonText))
        )
    }

    /// A `text/event-stream` response whose events `produce` writes through `send`. When the
    /// client disconnects, `produce` is cancelled, which cancels the generation it reads.
    static func eventStream(
        request: Request,
        logger: Logger,
        contentType: String = "text/event-stream",
        failure render: @escaping @Sendable (OpenAIError) -> String = { ServerSentEvents.event($0) + ServerSentEvents.done },
        produce: @escaping @Sendable (_ send: (String) async throws -> Void) async throws -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .cacheControl: "no-cache", .connection: "close"],
            body: ResponseBody { writer in
                do {
                    try await request.cancellingOnDisconnect {
                        try await produce { event in try await writer.write(ByteBuffer(string: event)) }
                    }
                } catch is CancellationError {
                    logger.debug("Client disconnected during a stream; generation cancelled")
                    return
                } catch {
                    // Headers are gone already: report the failure in-band, as OpenAI does.
                    let failure = (error as? OpenAIError) ?? (error as? LlamaError).map { OpenAIError($0, param: "prompt") } ?? .internalError
                    logger.error("Stream failed", metadata: ["error": "\(failure.message)"])
                    try await writer.write(ByteBuffer(string: render(failure)))
                }
                try await writer.finish(nil)
            }
        )
    }
}

/// A 200 JSON response on a connection that stays open.
func jsonResponse(_ value: some JSONRepresentable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: value.jsonText)))
}
