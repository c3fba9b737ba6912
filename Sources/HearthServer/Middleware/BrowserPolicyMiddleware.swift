import HTTPTypes
import Hummingbird

/// Applies ``BrowserPolicy`` before anything else reads the request.
struct BrowserPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: BrowserPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let hasBody = request.headers[.contentLength].map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        if let refusal = policy.refusal(
            method: request.method.rawValue,
            host: request.head.authority,
            origin: request.headers[.origin],
            contentType: request.headers[.contentType],
            hasBody: hasBody
        ) {
            throw refusal
        }
        return try await next(request, context)
    }
}
