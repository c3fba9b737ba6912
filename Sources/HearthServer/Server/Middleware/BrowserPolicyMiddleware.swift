import HTTPTypes
import Hummingbird
import OpenAIAPI

/// The first `Host` becomes the request's authority; any further one stays among the fields.
private let hostField = HTTPField.Name("host")!

/// Applies ``BrowserPolicy`` before anything else reads the request.
struct BrowserPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: BrowserPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Two Host headers make the request's host ambiguous (RFC 9112, 3.2: answer 400): a
        // proxy and this server could each read another one.
        guard request.headers[values: hostField].isEmpty else {
            throw OpenAIError.invalidRequest("A request carries one Host header; this one has several.", param: nil)
        }
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
