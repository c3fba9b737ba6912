import Hummingbird

/// Counts every answered request in ``ServerMetrics`` by its route pattern (`/v1/models/{id}`,
/// never the path itself, so clients cannot grow the label set), method and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.countRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(response.status.code))
        return response
    }
}
