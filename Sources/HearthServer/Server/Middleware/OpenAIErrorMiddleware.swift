import Hummingbird
import LlamaEngine
import Logging
import NIOCore
import OpenAIAPI
import OrderedJSON

/// Renders every error as OpenAI's envelope (Anthropic's under `/v1/messages`, Ollama's under
/// `/api/`): client errors
/// keep their status and message; anything unexpected becomes a 500 whose body says nothing
/// about the cause (the log has it).
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The body limit, quoted in 413 responses.
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let envelope = Envelope(path: request.uri.path)
        let watch = InboundWatch()
        func response(for error: OpenAIError) -> Response {
            var response = Self.response(for: error, envelope: envelope)
            if watch.hasStarted { response.headers[.connection] = "close" }
            return response
        }
        // A declared length over the limit is refused at once, before a byte of the body is read
        // (an `Expect: 100-continue` client then never sends it).
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return response(for: .bodyTooLarge(limit: maxBodyBytes))
        }
        do {
            return try await InboundWatch.$current.withValue(watch) { try await next(request, context) }
        } catch let error as OpenAIError {
            return response(for: error)
        } catch let error as LlamaError {
            // Raised while a non-streamed reply was awaited: the server is shutting down (503),
            // or a decode failed (500).
            return response(for: OpenAIError(error, param: "prompt"))
        } catch is NIOTooManyBytesError {
            return response(for: .bodyTooLarge(limit: maxBodyBytes))
        } catch let error as HTTPError {
            return response(for: translate(error, request: request))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("Request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return response(for: .internalError)
        }
    }

    func translate(_ error: HTTPError, request: Request) -> OpenAIError {
        switch error.status {
        case .notFound: .unknownRoute(method: request.method.rawValue, path: request.uri.path)
        case .methodNotAllowed: .methodNotAllowed(method: request.method.rawValue, path: request.uri.path)
        case .contentTooLarge: .bodyTooLarge(limit: maxBodyBytes)
        default:
            OpenAIError(
                status: Int(error.status.code),
                message: error.body ?? error.status.reasonPhrase,
                type: error.status.code < 500 ? "invalid_request_error" : "server_error"
            )
        }
    }

    /// Whose error shape a path answers with.
    enum Envelope {
        case openAI
        case anthropic
        case ollama

        init(path: String) {
            self = path.hasPrefix("/v1/messages") ? .anthropic : path.hasPrefix("/api/") ? .ollama : .openAI
        }
    }

    static func response(for error: OpenAIError, envelope: Envelope = .openAI) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        let text =
            switch envelope {
            case .openAI: error.jsonText
            case .anthropic: error.anthropicJSON.serialized
            case .ollama: OllamaAPI.errorJSON(error).serialized
            }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
