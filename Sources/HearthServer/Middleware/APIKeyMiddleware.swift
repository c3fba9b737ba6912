import Hummingbird
import OpenAIAPI

/// Requires `Authorization: Bearer <key>` on every request when `--api-key` is set.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == "Bearer \(key)" else {
            throw OpenAIError(
                status: 401,
                message: "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.",
                type: "invalid_request_error",
                code: "invalid_api_key"
            )
        }
        return try await next(request, context)
    }
}
