import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// What one chunk of a reply says about one choice: its index, and its end.
protocol ReplyDelta: Sendable {
    var index: Int { get }
    var finishReason: FinishReason? { get }
}

/// One request's replies as deltas, from the engine's events through each choice's pipeline:
/// ``ChatReplies`` and ``CompletionReplies``.
protocol ReplyDeltas<Delta>: Sendable {
    associatedtype Delta: ReplyDelta
    /// The engine's streams, one per choice.
    var streams: GenerationStreams { get }
    /// Calls `body` with every delta of every choice, in the order they become certain.
    /// - Returns: the usage and, with ``GenerationStreams/keepsText``, each choice's raw text.
    func forEachDelta(_ body: (Delta) async throws -> Void) async throws -> (usage: Usage, texts: [String])
}

/// A choice's whole reply, folded from the deltas a stream would send.
protocol ReplyFold<Delta>: Sendable {
    associatedtype Delta
    init()
    mutating func add(_ delta: Delta)
}

/// How one protocol writes a reply, with no I/O: a stream's events (before the first delta, for
/// each delta, after the last, and a failure in-band) and the whole reply, which is the fold of
/// the same deltas. ``reply(_:through:streaming:tokensPerSecond:request:logger:finished:)``
/// carries either out, for every protocol.
protocol ReplyEncoder<Delta>: Sendable {
    associatedtype Delta
    associatedtype Fold: ReplyFold<Delta>
    /// The stream's media type: `text/event-stream` unless the protocol says otherwise.
    var streamContentType: String { get }
    /// Events before the first delta.
    mutating func start() -> [String]
    /// Events for one delta.
    mutating func events(for delta: Delta) -> [String]
    /// Events after the last delta.
    mutating func finish(usage: Usage) -> [String]
    /// A failure after the stream began, written in-band.
    func failure(_ error: OpenAIError) -> String
    /// Takes one delta of a reply that is not streamed: what ``whole(_:usage:)`` needs beyond
    /// the folds (nothing, unless the protocol says so).
    mutating func observe(_ delta: Delta)
    /// The reply of a request that is not streamed, from each choice's fold, after
    /// ``finish(usage:)``.
    func whole(_ folds: [Fold], usage: Usage) -> any JSONRepresentable
}

/// A chat reply's encoder (OpenAI's chat completion, Anthropic's, Ollama's, Responses').
typealias ChatReplyEncoder = ReplyEncoder<ChatDelta>

extension ReplyEncoder {
    var streamContentType: String { "text/event-stream" }
    func failure(_ error: OpenAIError) -> String { ServerSentEvents.event(error) + ServerSentEvents.done }
    mutating func observe(_ delta: Delta) {}
}

/// The reply to the client: with `streaming`, `encoder`'s events as the deltas come (paced at
/// `tokensPerSecond`, `max_tokens_second`); otherwise its whole reply, folded from the same
/// deltas while the connection is watched. A client that leaves cancels the generation either
/// way.
/// - Parameter finished: called with the encoder after the last delta and the usage (the
///   Responses store keeps the reply).
func reply<Deltas: ReplyDeltas, Encoder: ReplyEncoder<Deltas.Delta>>(
    _ replies: Deltas,
    through encoder: Encoder,
    streaming: Bool,
    tokensPerSecond: Double?,
    request: Request,
    logger: Logger,
    finished: @escaping @Sendable (Encoder, Usage) -> Void = { _, _ in }
) async throws -> Response {
    let logsText = replies.streams.keepsText
    if streaming {
        return GenerationResponse.eventStream(
            request: request,
            logger: logger,
            contentType: encoder.streamContentType,
            failure: encoder.failure
        ) { send in
            var (encoder, throttle) = (encoder, StreamThrottle(tokensPerSecond: tokensPerSecond))
            for event in encoder.start() { try await send(event) }
            let (usage, texts) = try await replies.forEachDelta { delta in
                if delta.finishReason == nil { try await throttle.wait() }
                for event in encoder.events(for: delta) { try await send(event) }
            }
            if logsText { logger.debug("Reply texts", metadata: ["texts": "\(texts)"]) }
            for event in encoder.finish(usage: usage) { try await send(event) }
            finished(encoder, usage)
        }
    }
    let (ended, folds, usage) = try await request.cancellingOnDisconnect {
        var (encoder, folds) = (encoder, [Encoder.Fold](repeating: Encoder.Fold(), count: replies.streams.count))
        let (usage, texts) = try await replies.forEachDelta { delta in
            encoder.observe(delta)
            folds[delta.index].add(delta)
        }
        if logsText { logger.debug("Reply texts", metadata: ["texts": "\(texts)"]) }
        _ = encoder.finish(usage: usage)
        return (encoder, folds, usage)
    }
    finished(ended, usage)
    return GenerationResponse.json(ended.whole(folds, usage: usage))
}
