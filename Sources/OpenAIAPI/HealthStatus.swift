import OrderedJSON

/// The answer of `GET /health` and `GET /v1/internal/health`: `{"status": "ok"}` while the
/// server takes requests; `{"status": "error", "message": …}` (with 503) when the default model
/// is gone because a `model/load` failed and the previous model could not be loaded back.
public struct HealthStatus: JSONRepresentable {
    /// Why the server cannot serve, or nil when it can.
    public var problem: String?

    public init(problem: String? = nil) {
        self.problem = problem
    }

    public var json: JSON {
        guard let problem else { return .object([("status", .string("ok"))]) }
        return .object([("status", .string("error")), ("message", .string(problem))])
    }
}
