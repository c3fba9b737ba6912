import Hummingbird
import NIOCore
import OpenAIAPI
import OrderedJSON

/// The shape in which one family of clients reads errors: OpenAI's `{"error": {…}}`,
/// Anthropic's, Ollama's. Each protocol's folder declares its own; a route group answers every
/// error of its routes in its surface's envelope (``APISurface``), whatever the path says.
struct ErrorEnvelope: Sendable {
    /// What the OpenAPI document says of it.
    let description: String
    /// The schema of an error body, for the OpenAPI document.
    let schema: JSON
    /// The body an error renders as.
    let render: @Sendable (OpenAIError) -> String

    /// OpenAI's `{"error": {"message", "type", "param", "code"}}`.
    static let openAI = ErrorEnvelope(description: "OpenAI's error envelope", schema: ["$ref": "#/components/schemas/Error"]) { $0.jsonText }

    /// The error as a JSON response in this envelope, with `Retry-After` when it says when to
    /// come back.
    func response(for error: OpenAIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: render(error))))
    }
}
