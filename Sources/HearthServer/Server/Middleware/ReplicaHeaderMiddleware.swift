import HTTPTypes
import Hummingbird

/// Names the server in `X-Hearth-Replica` on every response (`--replica-name`): behind a load
/// balancer, which replica served a request, so that affinity can be checked from the client.
/// Outermost, so error responses carry it too.
struct ReplicaHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    static var field: HTTPField.Name { HTTPField.Name("X-Hearth-Replica")! }

    let name: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.field] = name
        return response
    }
}
