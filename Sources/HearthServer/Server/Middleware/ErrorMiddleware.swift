import Hummingbird
import LlamaEngine
import Logging
import NIOCore
import OpenAIAPI

/// Renders every error of the routes it wraps in one ``ErrorEnvelope``: client errors keep their
/// status and message; anything unexpected becomes a 500 whose body says nothing about the cause
/// (the log has it).
///
/// Each surface's route group has one in its own envelope (``SurfaceRoutes``); the router has
/// one more, outermost, for requests no route matched (404, 405), answered in the envelope of
/// the surface that owns the path's prefix, else OpenAI's.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let envelope: ErrorEnvelope
    /// The body limit, quoted in 413 responses.
    let bodyLimit: Int
    /// Whether a declared length over the limit is refused before the route runs (not for the
    /// router-wide fallback, which would answer before the route's own envelope could).
    var refusesDeclaredLength = true
    /// Path prefixes whose unknown routes answer in another envelope (the fallback's).
    var ownedPrefixes: [(prefix: String, envelope: ErrorEnvelope)] = []

    init(envelope: ErrorEnvelope, bodyLimit: Int) {
        self.envelope = envelope
        self.bodyLimit = bodyLimit
    }

    /// The router-wide fallback, for requests no route matched.
    static func unmatchedRoutes(of surfaces: [any APISurface], bodyLimit: Int) -> Self {
        var middleware = Self(envelope: .openAI, bodyLimit: bodyLimit)
        middleware.refusesDeclaredLength = false
        middleware.ownedPrefixes = surfaces.compactMap { surface in surface.ownedPrefix.map { ($0, surface.envelope) } }
        return middleware
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let envelope = ownedPrefixes.first { path.hasPrefix($0.prefix) }?.envelope ?? envelope
        let watch = InboundWatch()
        func response(for error: OpenAIError) -> Response {
            var response = envelope.response(for: error)
            if watch.hasStarted { response.headers[.connection] = "close" }
            return response
        }
        // A declared length over the limit is refused at once, before a byte of the body is read
        // (an `Expect: 100-continue` client then never sends it).
        if refusesDeclaredLength, let declared = request.headers[.contentLength].flatMap(Int.init), declared > bodyLimit {
            return response(for: .bodyTooLarge(limit: bodyLimit))
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
            return response(for: .bodyTooLarge(limit: bodyLimit))
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
        case .contentTooLarge: .bodyTooLarge(limit: bodyLimit)
        default:
            OpenAIError(
                status: Int(error.status.code),
                message: error.body ?? error.status.reasonPhrase,
                type: error.status.code < 500 ? "invalid_request_error" : "server_error"
            )
        }
    }
}
