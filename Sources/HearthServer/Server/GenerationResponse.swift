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
