import Hummingbird
import Logging
import OpenAIAPI

/// How one protocol writes a chat's reply, with no I/O: a stream's events (before the first
/// delta, for each delta, after the last, and a failure in-band) and the whole reply, which is
/// the fold of the same deltas. ``ChatSession/reply(through:request:logger:finished:)`` carries
/// either out for every protocol.
protocol ChatReplyEncoder: Sendable {
    /// The stream's media type: `text/event-stream` unless the protocol says otherwise.
    var streamContentType: String { get }
    /// Events before the first delta.
    mutating func start() -> [String]
    /// Events for one delta.
    mutating func events(for delta: ChatDelta) -> [String]
    /// Events after the last delta.
    mutating func finish(usage: Usage) -> [String]
    /// A failure after the stream began, written in-band.
    func failure(_ error: OpenAIError) -> String
    /// Takes one delta of a reply that is not streamed: what ``whole(_:usage:)`` needs beyond
    /// the folds (nothing, unless the protocol says so).
    mutating func observe(_ delta: ChatDelta)
    /// The reply of a request that is not streamed, from each choice's fold, after
    /// ``finish(usage:)``.
    func whole(_ folds: [ChatReplyFold], usage: Usage) -> any JSONRepresentable
}

extension ChatReplyEncoder {
    var streamContentType: String { "text/event-stream" }
    func failure(_ error: OpenAIError) -> String { ServerSentEvents.event(error) + ServerSentEvents.done }
    mutating func observe(_ delta: ChatDelta) {}
}

extension ChatSession {
    /// The reply to the client: with `stream`, `encoder`'s events as the deltas come (paced by
    /// `max_tokens_second`); otherwise its whole reply, folded from the same deltas while the
    /// connection is watched. A client that leaves cancels the generation either way.
    /// - Parameter finished: called with the encoder after the last delta and the usage (the
    ///   Responses store keeps the reply).
    func reply<Encoder: ChatReplyEncoder>(
        through encoder: Encoder,
        request: Request,
        logger: Logger,
        finished: @escaping @Sendable (Encoder, Usage) -> Void = { _, _ in }
    ) async throws -> Response {
        let replies = self.replies
        let logsText = replies.keepsText
        if job.stream {
            let throttle = StreamThrottle(tokensPerSecond: job.options.tokensPerSecond)
            return GenerationResponse.eventStream(
                request: request,
                logger: logger,
                contentType: encoder.streamContentType,
                failure: encoder.failure
            ) { send in
                var (encoder, throttle) = (encoder, throttle)
                for event in encoder.start() { try await send(event) }
                let (usage, texts) = try await replies.forEachDelta { delta in
                    if delta.finishReason == nil { try await throttle.wait() }
                    for event in encoder.events(for: delta) { try await send(event) }
                }
                if logsText { logger.debug("Chat result", metadata: ["texts": "\(texts)"]) }
                for event in encoder.finish(usage: usage) { try await send(event) }
                finished(encoder, usage)
            }
        }
        let (ended, folds, usage) = try await request.cancellingOnDisconnect {
            var (encoder, folds) = (encoder, [ChatReplyFold](repeating: ChatReplyFold(), count: replies.streams.count))
            let (usage, texts) = try await replies.forEachDelta { delta in
                encoder.observe(delta)
                folds[delta.index].add(delta)
            }
            if logsText { logger.debug("Chat result", metadata: ["texts": "\(texts)"]) }
            _ = encoder.finish(usage: usage)
            return (encoder, folds, usage)
        }
        finished(ended, usage)
        return GenerationResponse.json(ended.whole(folds, usage: usage))
    }
}
