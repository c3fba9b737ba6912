import OrderedJSON

/// `{"status": "ok"}`: the answer of `GET /health` and `GET /v1/internal/health` while a model
/// is loaded and the server takes requests.
public struct HealthStatus: JSONRepresentable {
    public init() {}

    public var json: JSON { .object([("status", .string("ok"))]) }
}
